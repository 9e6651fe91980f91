"""Repeated calls of the Coordinate Attention block keep the resident memory
flat (the long version is tools/rss_check.py; docs/reliability.md)."""
import pytest
import torch

from mmca.models.attention import CoordAttention
from mmca.ops import fuses_inference
from mmca.utils import rss_over_calls

CALLS = 200
SHAPE = (4, 64, 28, 28)
TENSOR_BYTES = torch.Size(SHAPE).numel() * 4
# A leak of one input-sized tensor a call would grow RSS by CALLS times it
# (153 MiB); allocator noise stays far below a tenth of that.
BOUND = CALLS * TENSOR_BYTES // 10


@pytest.fixture
def block():
    torch.manual_seed(0)
    return CoordAttention(SHAPE[1])


def test_the_bound_catches_a_leak_of_one_tensor_a_call():
    x, leaked = torch.randn(SHAPE), []
    before, after = rss_over_calls(lambda: leaked.append(x.clone()), CALLS)
    assert after - before > BOUND


def test_the_compiled_inference_op_keeps_memory_flat(block):
    x = torch.randn(SHAPE)
    block.eval()
    with torch.no_grad():
        assert fuses_inference(x, block.act)
        before, after = rss_over_calls(lambda: block(x), CALLS)
    assert after - before < BOUND


def test_training_forward_and_backward_keep_memory_flat(block):
    x = torch.randn(SHAPE, requires_grad=True)

    def step():
        block(x).sum().backward()
        x.grad = None
        block.zero_grad(set_to_none=True)

    before, after = rss_over_calls(step, CALLS)
    assert after - before < BOUND
