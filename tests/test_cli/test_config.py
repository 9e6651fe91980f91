"""load_config: --cfg-options keys must extend the config, or name an
argument of mmengine's Runner that the config leaves out."""
import pytest

from mmca.cli import load_config
from mmca.utils import InputError

DEMO = 'configs/demo/mbv2_ca_shapes_cls.py'


def test_a_runner_argument_the_config_leaves_out_is_set(repo_root):
    # mmdet's base configs set no randomness (mmpretrain's do)
    config = f'{repo_root}/configs/demo/ssdlite_mbv2_ca_shapes.py'
    assert 'randomness' not in load_config(config)
    cfg = load_config(config, {'randomness.seed': 0,
                               'train_cfg.max_epochs': 3})
    assert cfg.randomness == {'seed': 0}
    assert cfg.train_cfg.max_epochs == 3


@pytest.mark.parametrize('key,message', [
    ('trian_cfg.max_epochs', "unknown config key 'trian_cfg' in --cfg-options "
     "trian_cfg.max_epochs (did you mean 'train_cfg'?)"),
    ('randomnes.seed', "unknown config key 'randomnes'"),
    ('model.backbone.atention.type', "unknown config key "
     "'model.backbone.atention'"),
])
def test_a_key_the_config_and_runner_lack_is_refused(key, message, repo_root):
    with pytest.raises(InputError) as error:
        load_config(f'{repo_root}/{DEMO}', {key: 1})
    assert str(error.value).startswith(message)
