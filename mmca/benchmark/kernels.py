"""Each hand-written CPU kernel against the plain ATen calls it replaces.

A kernel earns its place only where it beats those calls, so each is timed
side by side with its plain form on the same tensors:

======================  ================================================
kernel                  plain ATen form
======================  ================================================
``strip_mean``          ``cat([x.mean(3), x.mean(2)], 2)``
``coord_gate``          ``x * g_h[..., None] * g_w[..., None, :]``
``coord_gate_backward`` ``dy * g_h * g_w``, ``(dy * x * g_w).sum(3)``,
                        ``(dy * x * g_h).sum(2)``
======================  ================================================
"""
from typing import Dict, Sequence

import torch
from torch import Tensor

from mmca.ops import coord_gate_reference, strip_mean_reference, use_fused_ops
from .timing import median_ratio, median_time, time_side_by_side

KERNELS = ('strip_mean', 'coord_gate', 'coord_gate_backward')


def coord_gate_backward_reference(dy: Tensor, x: Tensor, gate_h: Tensor,
                                  gate_w: Tensor):
    """The gate's backward in plain ATen calls: dx, dg^h, dg^w."""
    g_h, g_w = gate_h.unsqueeze(3), gate_w.unsqueeze(2)
    dy_x = dy * x
    return dy * g_h * g_w, (dy_x * g_w).sum(3), (dy_x * g_h).sum(2)


def benchmark_kernels(shape: Sequence[int], channels_last: bool = False,
                      **timing) -> Dict:
    """Each kernel's time over its plain form's at one (N, C, H, W) shape.

    Returns:
        dict: ``shape``, ``fused`` (whether the compiled ops are there),
        ``ms`` per kernel and form, and ``ratio`` per kernel (kernel over
        plain, median over round pairs; below 1 the kernel is faster).
    """
    torch.manual_seed(0)
    n, c, h, w = shape
    x = torch.randn(*shape)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    dy = torch.randn_like(x)
    gate_h, gate_w = torch.rand(n, c, h), torch.rand(n, c, w)
    ops = torch.ops.mmca
    pairs = {
        'strip_mean': (lambda: ops.strip_mean(x),
                       lambda: strip_mean_reference(x)),
        'coord_gate': (lambda: ops.coord_gate(x, gate_h, gate_w),
                       lambda: coord_gate_reference(x, gate_h, gate_w)),
        'coord_gate_backward': (
            lambda: ops.coord_gate_backward(dy, x, gate_h, gate_w),
            lambda: coord_gate_backward_reference(dy, x, gate_h, gate_w)),
    }
    ms, ratio = {}, {}
    with torch.no_grad():
        for name, (kernel, plain) in pairs.items():
            samples = time_side_by_side({'kernel': kernel, 'plain': plain},
                                        **timing)
            ms[name] = {k: median_time(v) * 1e3 for k, v in samples.items()}
            ratio[name] = median_ratio(samples, 'kernel', 'plain')
    return dict(shape=list(shape), channels_last=channels_last,
                fused=use_fused_ops(x), ms=ms, ratio=ratio)
