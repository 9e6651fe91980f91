"""Training stops at the first NaN or infinite loss term, naming it."""
import pytest
import torch

from mmca.engine import NonFiniteLossError
from mmca.engine.hooks.non_finite_loss_hook import _non_finite_terms


def test_a_nan_term_stops_training_at_its_iteration_before_any_checkpoint(
        toy_runner, tmp_path):
    # sample 5 is in batch 3; a checkpoint every iteration
    runner = toy_runner(tmp_path, bad_index=5,
                        checkpoint=dict(by_epoch=False))
    with pytest.raises(NonFiniteLossError) as info:
        runner.train()
    message = str(info.value)
    assert message.startswith(
        'loss_fit became nan at iteration 3 (epoch 1, batch 3). Training '
        'stopped without saving these weights; the last checkpoint, '
        f'{tmp_path}/iter_2.pth, is kept.')
    assert 'loss_decay' not in message
    assert not (tmp_path / 'iter_3.pth').exists()
    assert (tmp_path / 'last_checkpoint').read_text() == 'iter_2.pth'


def test_an_infinite_term_is_named_in_an_iteration_based_run(toy_runner,
                                                             tmp_path):
    runner = toy_runner(tmp_path, bad_index=0, bad_value=float('inf'),
                        train_cfg=dict(by_epoch=False, max_iters=4),
                        checkpoint=dict(by_epoch=False))
    with pytest.raises(NonFiniteLossError,
                       match=r'^loss_fit became inf at iteration 1\. .* no '
                       'checkpoint had been saved yet'):
        runner.train()
    assert not (tmp_path / 'iter_1.pth').exists()


def test_finite_losses_train_to_the_end(toy_runner, tmp_path):
    runner = toy_runner(tmp_path, max_epochs=1)
    runner.train()
    assert runner.iter == 4


def test_the_total_is_named_only_when_its_terms_are_finite():
    big = torch.tensor(3e38)
    assert _non_finite_terms(dict(loss=big + big, loss_a=big, loss_b=big,
                                  acc=torch.tensor(float('nan')))) == \
        dict(loss=float('inf'))
    assert _non_finite_terms(dict(
        loss=torch.tensor(float('nan')), loss_a=torch.tensor(1.0),
        loss_b=torch.tensor([1.0, float('nan')]))) == \
        dict(loss_b=pytest.approx(float('nan'), nan_ok=True))
