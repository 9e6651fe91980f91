"""The CA block alone: ours against the paper's, timm's and the floor."""
from typing import Dict, Sequence, Tuple

import torch
import torch.nn as nn

from mmca.models import CoordAttention
from mmca.ops import use_fused_ops
from .ca_formulations import memory_traffic_floor, paper_forward, timm_forward
from .timing import (median_ratio, median_time, saved_activation_bytes,
                     time_side_by_side)

#: MobileNetV2-CA layer shapes (N, C, H, W): the early, wide maps where CA
#: is memory-bound, and late ones at batch 8.
BLOCK_SHAPES = ((1, 96, 160, 160), (1, 144, 80, 80), (8, 144, 40, 40),
                (1, 384, 20, 20), (8, 960, 10, 10))
#: Eval-mode goals: our time over each reference's, at most.
EVAL_GOALS = {'paper': 0.5, 'timm': 0.7, 'floor': 2.0}
#: Training goals: our forward + backward time and saved activations over
#: the paper's, at most.
TRAIN_GOALS = {'time': 1.0, 'memory': 1.0}


def _block(shape: Sequence[int], channels_last: bool,
           training: bool) -> Tuple[CoordAttention, torch.Tensor]:
    torch.manual_seed(0)
    module = CoordAttention(shape[1]).train(training)
    module.bn1.running_mean.normal_(0, 0.1)
    module.bn1.running_var.uniform_(0.5, 1.5)
    x = torch.randn(*shape)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    return module, x


def benchmark_block_eval(shape: Sequence[int],
                         channels_last: bool = False,
                         **timing) -> Dict:
    """Inference times of the formulations at one shape, and our ratios.

    Returns:
        dict: ``shape``, ``fused`` (whether the compiled ops ran),
        ``max_abs_diff`` (ours against the paper's), median ``ms`` per
        formulation (and per round in ``rounds_ms``) and the ``ratio`` of
        ours to each of paper, timm and floor (median over round pairs).
    """
    module, x = _block(shape, channels_last, training=False)
    paper, timm = paper_forward(module), timm_forward(module)
    with torch.no_grad():
        diff = (module(x) - paper(x)).abs().max().item()
        samples = time_side_by_side(
            {
                'paper': lambda: paper(x),
                'timm': lambda: timm(x),
                'mmca': lambda: module(x),
                'floor': memory_traffic_floor(x),
            }, **timing)
    return dict(
        shape=list(shape), channels_last=channels_last,
        fused=use_fused_ops(x), max_abs_diff=diff,
        ms={k: median_time(v) * 1e3 for k, v in samples.items()},
        rounds_ms={k: [t * 1e3 for t in v] for k, v in samples.items()},
        ratio={k: median_ratio(samples, 'mmca', k) for k in EVAL_GOALS})


def benchmark_block_train(shape: Sequence[int],
                          channels_last: bool = False,
                          **timing) -> Dict:
    """Training forward + backward time and saved activations, against the
    paper's formulation (same weights, same BN mode), each after the ReLU6
    of the depthwise conv before it, as in the backbones: ours takes it as
    ``input_act``, the paper's applies it first.

    Returns:
        dict: ``ms`` and ``saved_mib`` per formulation and ``ratio`` of ours
        to the paper's for ``time`` and ``memory``.
    """
    module, x = _block(shape, channels_last, training=True)
    x.requires_grad_()
    grad = torch.randn_like(x)
    paper = paper_forward(module)

    def step(forward):
        def run():
            x.grad = None
            forward(x).backward(grad)
        return run

    relu6 = nn.ReLU6()
    forwards = {'paper': lambda x: paper(relu6(x)),
                'mmca': lambda x: module(x, input_act=relu6)}
    samples = time_side_by_side(
        {name: step(f) for name, f in forwards.items()}, **timing)
    saved = {name: saved_activation_bytes(lambda f=f: f(x))
             for name, f in forwards.items()}
    return dict(
        shape=list(shape), channels_last=channels_last,
        fused=use_fused_ops(x),
        ms={k: median_time(v) * 1e3 for k, v in samples.items()},
        saved_mib={k: v / 2**20 for k, v in saved.items()},
        ratio=dict(time=median_ratio(samples, 'mmca', 'paper'),
                   memory=saved['mmca'] / saved['paper']))
