"""--cfg-options values of another kind than the config holds, or out of
range, are refused in one line (keys: tests/test_cli/test_config.py)."""
import pytest
from mmengine.config import DictAction

from mmca.cli import load_config
from mmca.utils import InputError

DEMO = 'configs/demo/mbv2_ca_shapes_cls.py'


def options(*pairs):
    """``--cfg-options`` as mmengine's DictAction parses them."""
    return {key: DictAction._parse_iterable(value) for key, value in
            (pair.split('=', 1) for pair in pairs)}


@pytest.mark.parametrize('option,message', [
    ('train_cfg.max_epochs=abc', "a whole number is expected there, as the "
     "config's 10"),
    ('train_cfg.max_epochs=2.5', "a whole number is expected there, as the "
     "config's 10"),
    ('optim_wrapper.optimizer.lr=abc', "a number is expected there, as the "
     "config's 0.003"),
    ('train_dataloader.persistent_workers=1', "True or False is expected "
     "there, as the config's False"),
    ('train_dataloader.batch_size=-4', 'batch_size must be positive'),
    ('train_dataloader.batch_size=0', 'batch_size must be positive'),
    ('train_dataloader.num_workers=-1', 'num_workers must be at least 0'),
    ('optim_wrapper.optimizer.lr=-0.1', 'lr must be at least 0'),
])
def test_a_value_of_another_kind_or_out_of_range_is_refused(
        option, message, repo_root):
    with pytest.raises(InputError) as err:
        load_config(f'{repo_root}/{DEMO}', options(option))
    assert str(err.value) == f'--cfg-options {option}: {message}'


@pytest.mark.parametrize('option', [
    'optim_wrapper.optimizer.lr=1',        # an integer for a float
    'param_scheduler.1.eta_min=1e-5',      # a float for the config's 0
    'model.head.loss.loss_weight=nan',
    'default_hooks.checkpoint.save_best=None',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=True',
    'randomness.seed=3',
])
def test_a_value_of_the_kind_the_config_holds_is_taken(option, repo_root):
    key, _ = option.split('=', 1)
    cfg = load_config(f'{repo_root}/{DEMO}', options(option))
    value = cfg
    for part in key.split('.'):
        value = value[int(part)] if part.isdigit() else value[part]
    assert value == options(option)[key] or value != value   # nan
