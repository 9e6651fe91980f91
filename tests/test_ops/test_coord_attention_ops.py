"""The compiled strip-mean and gate ops against their plain PyTorch forms."""
import warnings

import pytest
import torch

from mmca.ops import (coord_attention_ops, coord_gate, coord_gate_reference,
                      extension, load_ops, strip_mean, strip_mean_reference)
from mmca.ops.coord_attention_ops import CoordGate, StripMean, TrainingBlock

# The install builds the ops (a machine without a compiler falls back to
# plain PyTorch, tested below); here their absence is a broken install.
assert load_ops(), 'mmca C++ ops did not build; run bash tools/install.sh'

# Widths across the NCHW band edges: vectors of 16 floats (8 doubles) on
# AVX512, bands of up to 4 vectors.
SHAPES = [(2, 16, 7, 5), (1, 3, 1, 9), (3, 8, 6, 1), (1, 20, 13, 13),
          (2, 40, 1, 1), (4, 33, 10, 10), (1, 3, 5, 16), (1, 2, 3, 17),
          (1, 3, 5, 64), (1, 3, 4, 65), (2, 5, 3, 160)]


def as_layout(x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last
                        if channels_last else torch.contiguous_format)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_strip_mean_matches_two_reductions(shape, channels_last, dtype):
    x = as_layout(torch.randn(shape, dtype=dtype), channels_last)
    z = strip_mean(x)
    assert z.shape == (shape[0], shape[1], shape[2] + shape[3])
    torch.testing.assert_close(z, strip_mean_reference(x), atol=1e-6,
                               rtol=1e-5)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('channels_last', [False, True])
def test_coord_gate_matches_two_multiplies_and_keeps_layout(
        shape, channels_last):
    n, c, h, w = shape
    x = as_layout(torch.randn(shape), channels_last)
    # Gates as the folded CA path makes them: views of (C, N, L) memory.
    gate_h = torch.rand(c, n, h).transpose(0, 1)
    gate_w = torch.rand(c, n, w).transpose(0, 1)
    y = coord_gate(x, gate_h, gate_w)
    torch.testing.assert_close(y, coord_gate_reference(x, gate_h, gate_w))
    if channels_last and c > 1 and h * w > 1:
        assert y.is_contiguous(memory_format=torch.channels_last)
    else:
        assert y.is_contiguous()


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('dtype', [torch.float32, torch.float16])
def test_coord_gate_in_place_writes_into_x(shape, channels_last, dtype):
    """float32 takes the compiled op, float16 the plain one."""
    n, c, h, w = shape
    x = as_layout(torch.randn(shape).to(dtype), channels_last)
    gate_h = torch.rand(c, n, h).to(dtype).transpose(0, 1)
    gate_w = torch.rand(c, n, w).to(dtype).transpose(0, 1)
    want = coord_gate_reference(x, gate_h, gate_w)
    y = coord_gate(x, gate_h, gate_w, inplace=True)
    assert y.data_ptr() == x.data_ptr()
    torch.testing.assert_close(x, want)


@pytest.mark.parametrize('channels_last', [False, True])
def test_backward_matches_plain_autograd_in_float(channels_last):
    x = as_layout(torch.randn(4, 24, 9, 11), channels_last)
    gate_h = torch.rand(4, 24, 9)
    gate_w = torch.rand(4, 24, 11)
    grad_y = torch.randn(4, 24, 9, 11)
    grad_z = torch.randn(4, 24, 20)

    def grads(pool, gate):
        leaves = [t.detach().clone().requires_grad_()
                  for t in (x, gate_h, gate_w)]
        y = gate(*leaves)
        z = pool(leaves[0])
        torch.autograd.backward([y, z], [grad_y, grad_z])
        return [t.grad for t in leaves]

    got = grads(strip_mean, coord_gate)
    want = grads(strip_mean_reference, coord_gate_reference)
    for g, r in zip(got, want):
        torch.testing.assert_close(g, r, atol=1e-5, rtol=1e-5)


# The producer's activation the ops apply as they read x: none, ReLU6, ReLU.
RELU_MAXIMA = [None, 6., float('inf')]


def activated(x: torch.Tensor, relu_max) -> torch.Tensor:
    return x if relu_max is None else x.clamp(0, relu_max)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('relu_max', RELU_MAXIMA)
def test_training_passes_match_autograd_of_plain_ops(shape, channels_last,
                                                     relu_max):
    """The two backward passes against autograd through clamp, means and
    multiplies: dg_h, dg_w from (dy, x), then dx from (dy, x, dz), the
    clamp's gradient zero outside (0, relu_max) as torch's hardtanh's."""
    n, c, h, w = shape
    x = as_layout(torch.randn(shape) * 4, channels_last)
    x[0, 0, 0, 0] = 0.   # on a kink: torch's gradient there is 0
    gate_h = torch.rand(c, n, h).transpose(0, 1)    # strided, as in a block
    gate_w = torch.rand(n, c, w)
    grad_y = as_layout(torch.randn(shape), not channels_last)
    grad_z = torch.randn(n, h + w, c).transpose(1, 2)

    leaves = [t.detach().clone().requires_grad_()
              for t in (x, gate_h, gate_w)]
    a = activated(leaves[0], relu_max)
    torch.autograd.backward(
        [coord_gate_reference(a, *leaves[1:]), strip_mean_reference(a)],
        [grad_y, grad_z])
    ops = torch.ops.mmca
    got_h, got_w = ops.coord_gate_grad_gates(grad_y, x, gate_h, gate_w,
                                             relu_max)
    got_x = ops.coord_attention_grad_input(grad_y, x, gate_h, gate_w, grad_z,
                                           relu_max)
    for got, want in zip((got_x, got_h, got_w), leaves):
        torch.testing.assert_close(got, want.grad, atol=1e-5, rtol=1e-5)
    assert got_x.is_contiguous(memory_format=torch.channels_last
                               if channels_last else torch.contiguous_format)
    a = activated(x, relu_max)
    torch.testing.assert_close(ops.strip_mean(x, relu_max),
                               strip_mean_reference(a), atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(ops.coord_gate(x, gate_h, gate_w, relu_max),
                               coord_gate_reference(a, gate_h, gate_w))


def training_block_inputs(c: int, norm_options: dict):
    """A CA block's parameters (double, requiring grad) by TRAINING_PARAMS,
    and its BN's arguments as the training ops take them."""
    from mmca.models import CoordAttention
    from mmca.ops.coord_attention_ops import (TRAINING_PARAMS,
                                              batch_norm_arguments)
    module = CoordAttention(c, norm_cfg=dict(type='BN', **norm_options))
    module.double()
    for p in module.parameters():
        p.data.normal_(0, 0.5)
    tensors = module._layer_tensors()
    return ([tensors[name] for name in TRAINING_PARAMS],
            batch_norm_arguments(module.bn1))


@pytest.mark.parametrize('shape', [(2, 5, 4, 3), (1, 7, 1, 6), (3, 4, 5, 1)])
@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('relu_max', RELU_MAXIMA)
def test_gradients_pass_gradcheck_in_double(shape, channels_last, relu_max):
    n, c, h, w = shape
    x = as_layout(torch.randn(shape, dtype=torch.float64) * 4,
                  channels_last).requires_grad_()
    gate_h = torch.rand(n, c, h, dtype=torch.float64, requires_grad=True)
    gate_w = torch.rand(n, c, w, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(CoordGate.apply, (x, gate_h, gate_w))
    assert torch.autograd.gradcheck(StripMean.apply, (x, ))
    params, norm = training_block_inputs(c, {})
    assert torch.autograd.gradcheck(
        lambda x, *params: TrainingBlock.apply(x, relu_max, 'hardswish',
                                               norm, *params),
        (x, *params))


def test_training_block_gives_each_parameter_one_gradient():
    """Parameters get their gradient as inputs of the block's node: hooks
    on them (DDP's, a user's) fire once, and .grad holds the gradient; a
    parameter that does not require grad gets none."""
    params, norm = training_block_inputs(6, {})
    params[2].requires_grad_(False)     # BN's weight frozen
    calls = []
    params[0].register_hook(lambda g: calls.append('tensor hook'))
    params[0].register_post_accumulate_grad_hook(
        lambda p: calls.append('post accumulate'))
    x = torch.randn(2, 6, 5, 4, dtype=torch.float64, requires_grad=True)
    TrainingBlock.apply(x, 6., 'relu6', norm, *params).sum().backward()
    assert calls == ['tensor hook', 'post accumulate']
    assert params[2].grad is None
    assert all(p.grad is not None for p in params if p.requires_grad)


def test_plain_ops_serve_other_dtypes_and_tracing():
    x = torch.randn(2, 8, 5, 6, dtype=torch.bfloat16)
    assert not coord_attention_ops.use_fused_ops(x)
    assert not coord_attention_ops.use_fused_ops(torch.randn(8, 5, 6))
    traced = torch.jit.trace(strip_mean, torch.randn(1, 4, 5, 6))
    assert 'mmca::' not in str(traced.graph)
    assert 'aten::mean' in str(traced.graph)


def test_failed_build_warns_once_and_falls_back(monkeypatch):
    from torch.utils import cpp_extension

    def no_compiler(**kwargs):
        raise RuntimeError('Ninja is required to load C++ extensions')

    monkeypatch.setattr(cpp_extension, 'load', no_compiler)
    with pytest.warns(UserWarning, match='plain PyTorch ops'):
        assert extension.load_ops.__wrapped__() is False


def test_build_is_per_vector_isa():
    assert extension.extension_name('AVX512') != extension.extension_name(
        'AVX2')
    assert extension.extension_name('NO AVX') == extension.extension_name(
        'DEFAULT')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert load_ops()


def test_inference_op_takes_named_layers_and_names_its_activations():
    from mmca.models import CoordAttention
    from mmca.ops import coord_attention_inference
    from mmca.ops.coord_attention_ops import STRIP_ACTIVATIONS
    module = CoordAttention(16).eval()
    params = module._layer_tensors()
    x = torch.randn(2, 16, 5, 7)
    with torch.no_grad():
        for act_type in STRIP_ACTIVATIONS:
            coord_attention_inference(x, params, act_type())
        with pytest.raises(RuntimeError, match="unknown strip activation "
                           "'gelu': expected hardswish, relu, relu6 or silu"):
            torch.ops.mmca.coord_attention_inference(x, **params, act='gelu')
