"""ForeachExpMomentumEMA: bitwise mmdet's ExpMomentumEMA, step by step."""
import pytest
import torch
import torch.nn as nn
from mmdet.models.layers import ExpMomentumEMA

from mmca.engine.optim import ForeachExpMomentumEMA


def toy_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.Conv2d(8, 4, 1))


@pytest.mark.parametrize('update_buffers', [True, False])
@pytest.mark.parametrize('interval', [1, 3])
def test_same_average_as_mmdet(update_buffers, interval):
    model = toy_model()
    options = dict(momentum=0.01, gamma=20, interval=interval,
                   update_buffers=update_buffers)
    ours = ForeachExpMomentumEMA(model, **options)
    mmdet = ExpMomentumEMA(model, **options)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    torch.manual_seed(1)
    for _ in range(7):
        model(torch.randn(2, 3, 8, 8)).square().mean().backward()
        optimizer.step()
        optimizer.zero_grad()
        ours.update_parameters(model)
        mmdet.update_parameters(model)
    ours_state, mmdet_state = ours.state_dict(), mmdet.state_dict()
    assert ours_state.keys() == mmdet_state.keys()
    for name, value in ours_state.items():
        assert torch.equal(value, mmdet_state[name]), name
    # and the average is not the model: the test can fail
    assert not torch.equal(ours.module[0].weight, model[0].weight)


def test_momentum_is_mmdets_formula():
    ema = ForeachExpMomentumEMA(toy_model(), momentum=0.01, gamma=20)
    average, source = torch.zeros(1), torch.ones(1)
    ExpMomentumEMA.avg_func(ema, average, source, torch.tensor(5))
    # from 0 towards 1 by the momentum: the result is the momentum
    assert ema.momentum_at(5) == pytest.approx(average.item(), abs=1e-7)
