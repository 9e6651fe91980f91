"""Repeated calls of the Coordinate Attention block keep the resident memory
flat (the long version is tools/rss_check.py; docs/reliability.md).

Each case runs in a process of its own: in the test process, memory that
earlier tests freed is still mapped (mmca keeps freed host memory for
reuse), so even a real leak would be served from it without any growth.
"""
import subprocess
import sys

import pytest

CALLS = 200
SHAPE = (4, 64, 28, 28)
# A leak of one input-sized tensor a call would grow RSS by CALLS times it
# (153 MiB); allocator noise stays far below a tenth of that.
BOUND = CALLS * 4 * 64 * 28 * 28 * 4 // 10

SETUP = f"""
import torch
from mmca.models.attention import CoordAttention
from mmca.ops import fuses_inference
from mmca.utils import rss_over_calls
torch.manual_seed(0)
block = CoordAttention({SHAPE[1]})
x = torch.randn{SHAPE}
"""

CASES = {
    'leak': """
leaked = []
before, after = rss_over_calls(lambda: leaked.append(x.clone()), {calls})
""",
    'inference': """
block.eval()
with torch.no_grad():
    assert fuses_inference(x, block.act)
    before, after = rss_over_calls(lambda: block(x), {calls})
""",
    'training': """
x.requires_grad_()
def step():
    block(x).sum().backward()
    x.grad = None
    block.zero_grad(set_to_none=True)
before, after = rss_over_calls(step, {calls})
""",
}


def growth(case: str) -> int:
    script = SETUP + CASES[case].format(calls=CALLS) + 'print(after - before)'
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.split()[-1])


@pytest.mark.slow
def test_the_bound_catches_a_leak_of_one_tensor_a_call():
    assert growth('leak') > BOUND


@pytest.mark.slow
def test_the_compiled_inference_op_keeps_memory_flat():
    assert growth('inference') < BOUND


@pytest.mark.slow
def test_training_forward_and_backward_keep_memory_flat():
    assert growth('training') < BOUND
