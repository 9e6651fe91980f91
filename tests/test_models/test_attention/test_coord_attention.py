"""CoordAttention against the released formulation."""
import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmca.benchmark.ca_formulations import paper_forward
from mmca.models import CoordAttention
from mmca.ops import coord_attention_ops


def plain_coord_attention(module: CoordAttention, x: torch.Tensor,
                          training: bool) -> torch.Tensor:
    """The released formulation (:func:`paper_forward`: adaptive pooling,
    functional ops) with ``module``'s parameters, in that mode; the module's
    BN statistics are left as they were."""
    bn, was_training = module.bn1, module.training
    buffers = dict(bn._buffers)     # run on copies, put the originals back
    bn._buffers.update({name: b.clone() for name, b in buffers.items()})
    module.train(training)
    try:
        return paper_forward(module)(x)
    finally:
        module.train(was_training)
        bn._buffers.update(buffers)


def randomised(module: CoordAttention) -> CoordAttention:
    torch.manual_seed(0)
    for p in module.parameters():
        p.data.normal_(0, 0.5)
    if module.bn1.track_running_stats:
        module.bn1.running_mean.normal_(0, 0.2)
        module.bn1.running_var.uniform_(0.5, 2.0)
    return module


SHAPES = [(2, 16, 7, 5), (1, 64, 1, 9), (3, 8, 6, 1), (1, 96, 13, 13),
          (2, 40, 1, 1)]


def layout(x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last
                        if channels_last else torch.contiguous_format)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('training', [False, True])
@pytest.mark.parametrize('channels_last', [False, True])
def test_matches_plain_formulation_forward_and_backward(
        shape, training, channels_last):
    module = randomised(CoordAttention(shape[1])).train(training)
    x = layout(torch.randn(shape), channels_last).requires_grad_()
    x_ref = x.detach().clone().requires_grad_()
    out = module(x)
    ref = plain_coord_attention(module, x_ref, training)
    assert out.shape == x.shape
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)

    grad = torch.randn_like(out)
    params = [module.conv1.weight, module.conv_h.weight, module.bn1.weight]
    got = torch.autograd.grad(out, [x] + params, grad)
    want = torch.autograd.grad(ref, [x_ref] + params, grad)
    for g, r in zip(got, want):
        torch.testing.assert_close(g, r, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('channels,reduction,mid', [(96, 32, 8), (384, 32, 12),
                                                    (960, 32, 30), (64, 8, 8),
                                                    (64, 4, 16), (16, 32, 8)])
def test_mid_width_is_channels_over_reduction_floored_at_8(
        channels, reduction, mid):
    module = CoordAttention(channels, reduction=reduction)
    assert module.mid_channels == mid
    assert module.conv1.weight.shape == (mid, channels, 1, 1)
    assert module.conv_h.weight.shape == (channels, mid, 1, 1)
    assert module.conv_w.weight.shape == (channels, mid, 1, 1)
    # biased convs, BN over the mid width: 3*C*M + 2*C + 3*M parameters
    n_params = sum(p.numel() for p in module.parameters())
    assert n_params == 3 * channels * mid + 2 * channels + 3 * mid


def test_gates_are_separable_in_h_and_w():
    """y / x factorises as g_h(i) * g_w(j): the defining property of CA."""
    module = randomised(CoordAttention(8)).eval()
    x = torch.rand(1, 8, 5, 7) + 0.5
    ratio = module(x) / x                       # (1, C, H, W)
    outer = ratio[:, :, :, :1] * ratio[:, :, :1, :] / ratio[:, :, :1, :1]
    torch.testing.assert_close(ratio, outer, atol=1e-5, rtol=1e-5)


def test_norm_and_act_come_from_configs():
    module = CoordAttention(32, norm_cfg=dict(type='GN', num_groups=4),
                            act_cfg=dict(type='ReLU'))
    assert isinstance(module.bn1, torch.nn.GroupNorm)
    assert isinstance(module.act, torch.nn.ReLU)
    x = torch.randn(2, 32, 6, 4)
    assert module(x).shape == x.shape


@pytest.mark.parametrize('shape', SHAPES + [(8, 960, 10, 10), (1, 576, 20, 20),
                                            (1, 40, 23, 70), (2, 13, 5, 33)])
@pytest.mark.parametrize('channels_last', [False, True])
def test_inference_with_bn_folded_matches_plain_formulation(
        shape, channels_last):
    module = randomised(CoordAttention(shape[1])).eval()
    x = layout(torch.randn(shape), channels_last)
    with torch.no_grad():
        assert module._fuses_inference(x)
        out = module(x)
        ref = plain_coord_attention(module, x, training=False)
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('shape', [(2, 13, 5, 33), (1, 576, 20, 20),
                                   (3, 40, 9, 70)])
@pytest.mark.parametrize('channels_last', [False, True])
def test_folded_inference_in_double(shape, channels_last):
    module = randomised(CoordAttention(shape[1])).eval().double()
    x = layout(torch.randn(shape, dtype=torch.float64) * 4, channels_last)
    with torch.no_grad():
        assert module._fuses_inference(x)
        out = module(x, input_act=nn.ReLU6())
        ref = plain_coord_attention(module, F.relu6(x), training=False)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, ref, atol=1e-6, rtol=1e-6)


def test_folded_inference_without_bn_affine():
    module = randomised(
        CoordAttention(24, norm_cfg=dict(type='BN', affine=False))).eval()
    x = torch.randn(2, 24, 6, 9)
    with torch.no_grad():
        assert module.bn1.weight is None and module._fuses_inference(x)
        torch.testing.assert_close(
            module(x), plain_coord_attention(module, x, training=False),
            atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('update', ['load_state_dict', 'data', 'running'])
def test_inference_sees_every_weight_update(update):
    """Nothing folded is cached: a state dict, an in-place update through
    ``.data`` (which leaves ``_version`` alone, as mmengine's EMA does) and
    new running statistics all show in the next output."""
    module = randomised(CoordAttention(32)).eval()
    x = torch.randn(2, 32, 6, 7)
    with torch.no_grad():
        before = module(x)
        if update == 'load_state_dict':
            other = randomised(CoordAttention(32))
            for p in other.parameters():
                p.data.mul_(-1)
            module.load_state_dict(other.state_dict())
        elif update == 'data':
            for p in module.parameters():
                p.data.mul_(-1)
        else:
            module.bn1.running_mean.add_(1.0)
            module.bn1.running_var.mul_(3.0)
        out = module(x)
        ref = plain_coord_attention(module, x, training=False)
    assert (out - before).abs().max() > 1e-2
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('fused', [True, False])
def test_inplace_writes_into_the_input_at_inference_only(
        channels_last, fused):
    module = randomised(CoordAttention(
        48, inplace=True,
        act_cfg=dict(type='HSwish' if fused else 'GELU'))).eval()
    x = layout(torch.randn(2, 48, 9, 11), channels_last)
    with torch.no_grad():
        assert module._fuses_inference(x) == fused
        ref = plain_coord_attention_act(module, x)
        out = module(x)
    assert out.data_ptr() == x.data_ptr()
    torch.testing.assert_close(x, ref, atol=1e-5, rtol=1e-5)

    # With autograd the input is needed for backward: never overwritten.
    x = layout(torch.randn(2, 48, 9, 11), channels_last).requires_grad_()
    kept = x.detach().clone()
    module(x).sum().backward()
    assert torch.equal(x.detach(), kept) and x.grad is not None


def plain_coord_attention_act(module: CoordAttention,
                              x: torch.Tensor) -> torch.Tensor:
    """Inference in plain ops with the module's own activation."""
    h, w = x.shape[-2:]
    z = torch.cat([x.mean(3), x.mean(2)], dim=2).unsqueeze(3)
    f = module.act(module.bn1(module.conv1(z)))
    f_h, f_w = torch.split(f, [h, w], dim=2)
    gate_h = module.conv_h(f_h).sigmoid()                      # N, C, H, 1
    gate_w = module.conv_w(f_w).sigmoid().transpose(2, 3)      # N, C, 1, W
    return x * gate_h * gate_w


def test_frozen_bn_in_a_training_model_still_passes_gradients():
    """norm_eval freezes BN inside a model that trains: no folding then."""
    module = randomised(CoordAttention(16))
    module.bn1.eval()
    x = torch.randn(2, 16, 5, 4)
    assert not module._fuses_inference(x)
    module(x).sum().backward()
    assert module.conv1.weight.grad.abs().sum() > 0
    assert module.bn1.weight.grad.abs().sum() > 0


@pytest.mark.parametrize('act_cfg', [dict(type='ReLU'), dict(type='ReLU6'),
                                     dict(type='SiLU'), dict(type='GELU')])
def test_folded_inference_with_other_activations(act_cfg):
    """ReLU, ReLU6 and SiLU run in the compiled op, GELU in plain ops."""
    module = randomised(CoordAttention(24, act_cfg=act_cfg)).eval()
    x = torch.randn(2, 24, 9, 6)
    want = plain_coord_attention_act(module, x)
    with torch.no_grad():
        assert module._fuses_inference(x) == (act_cfg['type'] != 'GELU')
        got = module(x)
    torch.testing.assert_close(got, want.detach(), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('input_act', [nn.ReLU(), nn.ReLU6(), nn.Hardswish(),
                                       nn.Hardtanh(-1., 2.)],
                         ids=lambda act: type(act).__name__)
@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('mode', ['inference', 'inplace', 'training'])
def test_input_act_gives_the_block_of_the_activated_input(
        input_act, channels_last, mode):
    """ReLU and ReLU6 are applied inside the compiled ops, as they read x
    (and in training, their gradient as they write dx); other activations
    are applied first."""
    module = randomised(CoordAttention(40, inplace=mode == 'inplace'))
    module.train(mode == 'training')
    x = layout(torch.randn(2, 40, 9, 35) * 4, channels_last)
    x_ref = x.clone().requires_grad_()
    want = plain_coord_attention(module, input_act(x_ref), mode == 'training')
    if mode == 'training':
        x.requires_grad_()
        got = module(x, input_act=input_act)
        torch.testing.assert_close(
            torch.autograd.grad(got.sum(), x)[0],
            torch.autograd.grad(want.sum(), x_ref)[0], atol=1e-5, rtol=1e-5)
    else:
        with torch.no_grad():
            got = module(x, input_act=input_act)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('act_type', ['ReLU', 'ReLU6'])
@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('training', [False, True])
def test_relu_input_act_never_runs(act_type, channels_last, training):
    """The ops clamp x as they read it: the (in-place) activation module is
    not called, and without ``inplace`` x is left as it was."""
    module = randomised(CoordAttention(24)).train(training)
    act = getattr(nn, act_type)(inplace=True)
    calls = []
    act.register_forward_hook(lambda *_: calls.append(1))
    x = layout(torch.randn(2, 24, 6, 20) * 4, channels_last)
    kept = x.clone()
    with torch.set_grad_enabled(training):
        module(x.requires_grad_(training), input_act=act)
    assert not calls and torch.equal(x, kept)


NORMS = {
    'batch statistics': (dict(), True),
    'cumulative average': (dict(momentum=None), True),
    'no affine': (dict(affine=False), True),
    'no running statistics': (dict(track_running_stats=False), True),
    'running statistics (norm_eval)': (dict(), False),
}


@pytest.mark.parametrize('act_type', ['HSwish', 'ReLU', 'ReLU6', 'SiLU'])
@pytest.mark.parametrize('norm', NORMS, ids=str)
@pytest.mark.parametrize('channels_last', [False, True])
def test_training_step_matches_plain_layers(act_type, norm, channels_last,
                                            monkeypatch):
    """Two training steps through the fused block (the producer's ReLU6
    inside it) against the same block in plain PyTorch ops (no compiled
    ops), for each strip activation and each way BN can run: every
    parameter's .grad, dx and the BN buffers alike."""
    norm_options, bn_training = NORMS[norm]
    module = randomised(CoordAttention(
        40, norm_cfg=dict(type='BN', **norm_options),
        act_cfg=dict(type=act_type))).train()
    module.bn1.train(bn_training)
    plain = copy.deepcopy(module)
    x = layout(torch.randn(3, 40, 11, 7) * 4, channels_last)
    grad = torch.randn(3, 40, 11, 7)

    def steps(block):
        inputs = x.clone().requires_grad_()
        for _ in range(2):
            block(inputs, input_act=nn.ReLU6()).backward(grad)
        return inputs.grad

    assert module._fuses_training(x)
    got = steps(module)
    monkeypatch.setattr(coord_attention_ops, 'load_ops', lambda: False)
    assert not plain._fuses_training(x)
    torch.testing.assert_close(got, steps(plain), atol=1e-5, rtol=1e-5)
    for (name, p), q in zip(module.named_parameters(), plain.parameters()):
        torch.testing.assert_close(p.grad, q.grad, atol=1e-4, rtol=1e-4,
                                   msg=name)
    for (name, b), c in zip(module.named_buffers(), plain.buffers()):
        torch.testing.assert_close(b, c, msg=name)
