"""The compiled strip-mean and gate ops against their plain PyTorch forms."""
import warnings

import pytest
import torch

from mmca.ops import (coord_attention_ops, coord_gate, coord_gate_reference,
                      extension, load_ops, strip_mean, strip_mean_reference)
from mmca.ops.coord_attention_ops import CoordGate, StripMean

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


@pytest.mark.parametrize('shape', [(2, 5, 4, 3), (1, 7, 1, 6), (3, 4, 5, 1)])
@pytest.mark.parametrize('channels_last', [False, True])
def test_gradients_pass_gradcheck_in_double(shape, channels_last):
    n, c, h, w = shape
    x = as_layout(torch.randn(shape, dtype=torch.float64),
                  channels_last).requires_grad_()
    gate_h = torch.rand(n, c, h, dtype=torch.float64, requires_grad=True)
    gate_w = torch.rand(n, c, w, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(CoordGate.apply, (x, gate_h, gate_w))
    assert torch.autograd.gradcheck(StripMean.apply, (x, ))


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
    from mmca.ops.coord_attention_ops import INFERENCE_ACTIVATIONS
    module = CoordAttention(16).eval()
    params = module._layer_tensors()
    x = torch.randn(2, 16, 5, 7)
    with torch.no_grad():
        for act_type in INFERENCE_ACTIVATIONS:
            coord_attention_inference(x, params, act_type())
        with pytest.raises(RuntimeError, match="unknown strip activation "
                           "'gelu': expected hardswish, relu, relu6 or silu"):
            torch.ops.mmca.coord_attention_inference(x, **params, act='gelu')
