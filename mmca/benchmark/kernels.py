"""Each hand-written CPU kernel against the plain ATen calls it replaces.

A kernel earns its place only where it beats those calls, so each is timed
side by side with its plain form on the same tensors:

============================== ========================================
kernel                         plain ATen form
============================== ========================================
``strip_mean``                 ``cat([x.mean(3), x.mean(2)], 2)``
``coord_gate``                 ``x * g_h[..., None] * g_w[..., None, :]``
``coord_gate_grad_gates``      ``(dy * x * g_w).sum(3)``,
                               ``(dy * x * g_h).sum(2)``
``coord_attention_grad_input`` ``dy * g_h * g_w + dz_h / W + dz_w / H``
                               (the strips broadcast)
============================== ========================================
"""
from typing import Dict, Sequence, Tuple

import torch
from torch import Tensor

from mmca.ops import coord_gate_reference, strip_mean_reference, use_fused_ops
from .timing import median_ratio, median_time, time_side_by_side

KERNELS = ('strip_mean', 'coord_gate', 'coord_gate_grad_gates',
           'coord_attention_grad_input')


def grad_gates_reference(dy: Tensor, x: Tensor, gate_h: Tensor,
                         gate_w: Tensor) -> Tuple[Tensor, Tensor]:
    """The gates' gradients in plain ATen calls: dg^h, dg^w."""
    dy_x = dy * x
    return ((dy_x * gate_w.unsqueeze(2)).sum(3),
            (dy_x * gate_h.unsqueeze(3)).sum(2))


def grad_input_reference(dy: Tensor, gate_h: Tensor, gate_w: Tensor,
                         grad_z: Tensor) -> Tensor:
    """A block's dx in plain ATen calls: through the gate, plus each strip
    mean's gradient spread over what it averaged."""
    h, w = dy.shape[-2:]
    grad_h, grad_w = grad_z.split([h, w], dim=2)
    return (dy * gate_h.unsqueeze(3) * gate_w.unsqueeze(2) +
            (grad_h / w).unsqueeze(3) + (grad_w / h).unsqueeze(2))


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
    grad_z = torch.randn(n, c, h + w)
    ops = torch.ops.mmca
    pairs = {
        'strip_mean': (lambda: ops.strip_mean(x),
                       lambda: strip_mean_reference(x)),
        'coord_gate': (lambda: ops.coord_gate(x, gate_h, gate_w),
                       lambda: coord_gate_reference(x, gate_h, gate_w)),
        'coord_gate_grad_gates': (
            lambda: ops.coord_gate_grad_gates(dy, x, gate_h, gate_w),
            lambda: grad_gates_reference(dy, x, gate_h, gate_w)),
        'coord_attention_grad_input': (
            lambda: ops.coord_attention_grad_input(dy, x, gate_h, gate_w,
                                                   grad_z),
            lambda: grad_input_reference(dy, gate_h, gate_w, grad_z)),
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
