"""GroupedOptimWrapperConstructor: mmengine's default constructor's
parameter options in as few groups as there are distinct options, and the
same training steps as the default's."""
import copy

import pytest
import torch
import torch.nn as nn
from mmengine.optim import build_optim_wrapper

from mmca.engine.optim.grouped_constructor import merge_param_groups


def toy_model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 8, 3), nn.BatchNorm2d(8), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))


def options_of(optimizer, model):
    """Each parameter's name and the options of its group."""
    names = {id(p): n for n, p in model.named_parameters()}
    return {
        names[id(p)]: {k: v for k, v in group.items() if k != 'params'}
        for group in optimizer.param_groups for p in group['params']
    }


def train(model, optim_wrapper, steps=4):
    torch.manual_seed(1)
    for _ in range(steps):
        loss = model(torch.randn(4, 3, 12, 12)).square().mean()
        optim_wrapper.update_params(loss)


@pytest.mark.parametrize('optimizer', [
    dict(type='AdamW', lr=0.01, weight_decay=0.05),
    dict(type='AdamW', lr=0.01, weight_decay=0.05, fused=True),
    dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
])
def test_same_options_fewer_groups_same_steps(optimizer):
    cfg = dict(optimizer=optimizer,
               paramwise_cfg=dict(norm_decay_mult=0, bias_decay_mult=0))
    default_model, grouped_model = toy_model(), toy_model()
    default = build_optim_wrapper(default_model, copy.deepcopy(cfg))
    grouped = build_optim_wrapper(
        grouped_model,
        dict(copy.deepcopy(cfg), constructor='GroupedOptimWrapperConstructor'))
    # mmengine's: one group per parameter; ours: decay, no decay
    assert len(default.optimizer.param_groups) == len(
        list(default_model.parameters()))
    assert len(grouped.optimizer.param_groups) == 2
    assert (options_of(grouped.optimizer, grouped_model) == options_of(
        default.optimizer, default_model))
    train(default_model, default)
    train(grouped_model, grouped)
    for (name, a), b in zip(default_model.state_dict().items(),
                            grouped_model.state_dict().values()):
        assert torch.equal(a, b), name


def test_without_paramwise_cfg_one_group():
    model = toy_model()
    grouped = build_optim_wrapper(
        model, dict(optimizer=dict(type='SGD', lr=0.1),
                    constructor='GroupedOptimWrapperConstructor'))
    assert len(grouped.optimizer.param_groups) == 1


def test_merge_keeps_first_appearance_and_parameter_order():
    a, b, c, d = (nn.Parameter(torch.zeros(1)) for _ in range(4))
    groups = [dict(params=[a], weight_decay=0.), dict(params=[b]),
              dict(params=[c], weight_decay=0.), dict(params=[d], lr=2.)]
    merged = merge_param_groups(groups)
    assert [[id(p) for p in g['params']] for g in merged] == [
        [id(a), id(c)], [id(b)], [id(d)]]
    assert [{k: v for k, v in g.items() if k != 'params'} for g in merged
            ] == [dict(weight_decay=0.), {}, dict(lr=2.)]
    assert groups[0]['params'] == [a]  # the input is left as it was
