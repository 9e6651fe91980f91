r"""The two passes of coordinate attention over the big tensor.

:func:`strip_mean` pools :math:`x` (N, C, H, W) into the strips
:math:`[z^h, z^w]` (N, C, H + W); :func:`coord_gate` returns
:math:`y = x \, g^h \, g^w` for gates (N, C, H) and (N, C, W). On CPU
float tensors each is one fused C++ pass (forward and backward, see
``csrc/strip_mean.cpp``, ``csrc/coord_gate.cpp`` and
``csrc/coord_attention_backward.cpp``); on other devices and dtypes, while
tracing or exporting, or without the compiled ops, they are the same maths
in plain PyTorch (``*_reference``). :func:`coord_attention_training` runs a
training block in two passes each way, the producer's ReLU or ReLU6 inside
them; :func:`coord_attention_inference` runs a whole BN-folded block at
inference in one compiled call.
"""
import math
from typing import Any, Dict, Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor
from torch.autograd import Function
from torch.autograd.function import once_differentiable
from torch.nn.modules.batchnorm import _BatchNorm

from .extension import load_ops

FUSED_DTYPES = (torch.float32, torch.float64)
#: Activations the compiled ops apply to the strips (the paper's delta), at
#: inference and in training, by the names their schemas take
#: (``parse_activation`` in csrc/strip_activation.h).
STRIP_ACTIVATIONS = {nn.Hardswish: 'hardswish', nn.ReLU: 'relu',
                     nn.ReLU6: 'relu6', nn.SiLU: 'silu'}
#: Producer activations the compiled ops apply to x as they read it, by the
#: top of the range [0, max] they clamp x to.
INPUT_ACTIVATION_MAXIMA = {nn.ReLU: math.inf, nn.ReLU6: 6.}
#: The layers' parameters the training ops take, in their order: the
#: shared conv, its BN's affine (each may be None) and the gate convs.
TRAINING_PARAMS = ('w1', 'b1', 'bn_weight', 'bn_bias', 'w_h', 'b_h', 'w_w',
                   'b_w')


def is_exporting() -> bool:
    """Tracing, scripting or compiling (torch.compile, torch.export): plain
    ops only, so the graph holds standard operators (ReduceMean, Mul in
    ONNX). Both ONNX exporters are covered: the TorchScript one traces, the
    dynamo one compiles. (``torch.onnx.is_in_onnx_export`` would add nothing
    but two imports per call, a measurable cost per block at batch 1.)"""
    return (torch.jit.is_tracing() or torch.jit.is_scripting()
            or torch.compiler.is_compiling())


def use_fused_ops(x: Tensor) -> bool:
    """Whether ``x`` takes the compiled CPU ops."""
    return (x.is_cpu and x.dtype in FUSED_DTYPES and x.dim() == 4
            and not is_exporting() and load_ops())


def strip_mean_reference(x: Tensor) -> Tensor:
    """Plain PyTorch :func:`strip_mean`: two reductions and a concat."""
    return torch.cat([x.mean(dim=3), x.mean(dim=2)], dim=2)


def coord_gate_reference(x: Tensor, gate_h: Tensor, gate_w: Tensor) -> Tensor:
    """Plain PyTorch :func:`coord_gate`: two broadcast multiplies."""
    return x * gate_h.unsqueeze(3) * gate_w.unsqueeze(2)


def _memory_format(x: Tensor) -> torch.memory_format:
    if not x.is_contiguous() and x.is_contiguous(
            memory_format=torch.channels_last):
        return torch.channels_last
    return torch.contiguous_format


class StripMean(Function):
    """Both strip means in one read of ``x``."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        ctx.x_meta = (x.shape, x.dtype, _memory_format(x))
        return torch.ops.mmca.strip_mean(x)

    @staticmethod
    def backward(ctx, grad_z: Tensor) -> Tensor:
        shape, dtype, memory_format = ctx.x_meta
        h, w = shape[-2:]
        grad_h, grad_w = grad_z.split([h, w], dim=2)
        # dx(i, j) = dz^h(i) / W + dz^w(j) / H: one write, in x's layout.
        grad_x = torch.empty(shape, dtype=dtype, memory_format=memory_format)
        return torch.add((grad_h / w).unsqueeze(3), (grad_w / h).unsqueeze(2),
                         out=grad_x)


class CoordGate(Function):
    """``x * g^h * g^w`` in one pass, and its backward in two more."""

    @staticmethod
    def forward(ctx, x: Tensor, gate_h: Tensor, gate_w: Tensor) -> Tensor:
        ctx.save_for_backward(x, gate_h, gate_w)
        return torch.ops.mmca.coord_gate(x, gate_h, gate_w)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_y: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        x, gate_h, gate_w = ctx.saved_tensors
        grad_h, grad_w = torch.ops.mmca.coord_gate_grad_gates(
            grad_y, x, gate_h, gate_w)
        grad_x = torch.ops.mmca.coord_attention_grad_input(
            grad_y, x, gate_h, gate_w)
        return grad_x, grad_h, grad_w


class TrainingBlock(Function):
    r"""A training block in two passes over x each way, and one call each
    way for the small layers between.

    Forward: :math:`z = [z^h, z^w]` from ``act(x)`` in one read, the gates
    from z (``coord_strip_transform``: :math:`F_1`, BN, :math:`\delta`,
    :math:`F_h`, :math:`F_w` and the sigmoids, updating BN's running
    statistics), then ``act(x) * g^h * g^w`` in one read and one write.
    Backward: the gates' gradients in one read of dy and x, the small
    layers' backward (:math:`dz` and the parameters' gradients), then dx
    with :math:`dz` added in one read of dy and one write. As separate
    autograd nodes, the backward writes the gate's dx, the strip means'
    dx and their sum, the producer's activation takes a pass each way, and
    the small layers' ~20 ops cost more in dispatch than in arithmetic.

    ``act`` is the identity or a clamp to [0, ``relu_max``], the producer's
    ReLU (inf) or ReLU6 (6). ``norm`` holds BN's options and running
    statistics as :func:`batch_norm_arguments` gives them; ``params`` are
    :data:`TRAINING_PARAMS`, each gets its gradient here as an input of
    this node.
    """

    @staticmethod
    def forward(ctx, x: Tensor, relu_max: Optional[float], act: str,
                norm: Dict[str, Any], *params: Optional[Tensor]) -> Tensor:
        w1, b1, bn_weight, bn_bias, w_h, b_h, w_w, b_w = params
        z = torch.ops.mmca.strip_mean(x, relu_max)
        gate_h, gate_w, v, u_hat, rstd = torch.ops.mmca.coord_strip_transform(
            z, x.shape[2], w1, b1, bn_weight, bn_bias, w_h=w_h, b_h=b_h,
            w_w=w_w, b_w=b_w, act=act, **norm)
        ctx.save_for_backward(x, z, gate_h, gate_w, v, u_hat, rstd, w1,
                              bn_weight, w_h, w_w)
        ctx.options = (relu_max, act, norm['batch_stats'])
        return torch.ops.mmca.coord_gate(x, gate_h, gate_w, relu_max)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_y: Tensor) -> tuple:
        (x, z, gate_h, gate_w, v, u_hat, rstd, w1, bn_weight, w_h,
         w_w) = ctx.saved_tensors
        relu_max, act, batch_stats = ctx.options
        grad_h, grad_w = torch.ops.mmca.coord_gate_grad_gates(
            grad_y, x, gate_h, gate_w, relu_max)
        grad_z, *grad_params = torch.ops.mmca.coord_strip_transform_backward(
            grad_h, grad_w, z, gate_h, gate_w, v, u_hat, rstd, w1, bn_weight,
            batch_stats, w_h, w_w, act)
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x = torch.ops.mmca.coord_attention_grad_input(
                grad_y, x, gate_h, gate_w, grad_z, relu_max)
        grad_params = [grad if need else None for grad, need in zip(
            grad_params, ctx.needs_input_grad[4:])]
        return (grad_x, None, None, None, *grad_params)


def strip_mean(x: Tensor) -> Tensor:
    """Means of ``x`` (N, C, H, W) along W and along H, end to end.

    Returns:
        Tensor: :math:`[z^h, z^w]` (N, C, H + W); channels-last ``x`` gives
        a channels-minor (transposed) view.
    """
    if not use_fused_ops(x):
        return strip_mean_reference(x)
    if torch.is_grad_enabled() and x.requires_grad:
        return StripMean.apply(x)
    return torch.ops.mmca.strip_mean(x)


def coord_gate(x: Tensor,
               gate_h: Tensor,
               gate_w: Tensor,
               inplace: bool = False) -> Tensor:
    """Re-weight ``x`` (N, C, H, W) by gates (N, C, H) and (N, C, W).

    The gates may be strided views; the output keeps the memory format
    (contiguous or channels-last) of ``x``. ``inplace`` writes it into
    ``x``, which autograd forbids when it needs ``x`` for backward.
    """
    fused = use_fused_ops(x) and gate_h.dtype == gate_w.dtype == x.dtype
    if inplace:
        if fused:
            return torch.ops.mmca.coord_gate_(x, gate_h, gate_w)
        return x.mul_(gate_h.unsqueeze(3)).mul_(gate_w.unsqueeze(2))
    if not fused:
        return coord_gate_reference(x, gate_h, gate_w)
    if torch.is_grad_enabled() and (x.requires_grad or gate_h.requires_grad
                                    or gate_w.requires_grad):
        return CoordGate.apply(x, gate_h, gate_w)
    return torch.ops.mmca.coord_gate(x, gate_h, gate_w)


def input_act_maximum(input_act: Optional[nn.Module]) -> Optional[float]:
    """The top of the range ``input_act`` clamps to (None for none)."""
    return (None if input_act is None else
            INPUT_ACTIVATION_MAXIMA[type(input_act)])


def batch_norm_arguments(bn: _BatchNorm) -> Dict[str, Any]:
    """What ``bn``'s forward would do, as the compiled training ops take it.

    As ``_BatchNorm.forward`` does, this counts the batch in
    ``num_batches_tracked`` and works out the momentum (with ``momentum=None``
    the cumulative average's), so call it once per forward.

    Returns:
        dict: ``bn_mean``, ``bn_var`` (the running statistics to use or
        update, or None), ``batch_stats`` (normalise by the batch's
        statistics), ``momentum`` and ``eps``.
    """
    momentum = 0.0 if bn.momentum is None else bn.momentum
    if bn.training and bn.track_running_stats and (
            bn.num_batches_tracked is not None):
        bn.num_batches_tracked.add_(1)
        if bn.momentum is None:
            momentum = 1.0 / float(bn.num_batches_tracked)
    uses_running = not bn.training or bn.track_running_stats
    return dict(
        bn_mean=bn.running_mean if uses_running else None,
        bn_var=bn.running_var if uses_running else None,
        batch_stats=bn.training or (bn.running_mean is None
                                    and bn.running_var is None),
        momentum=momentum, eps=bn.eps)


def fuses_training(x: Tensor, norm: nn.Module, act: nn.Module) -> bool:
    """Whether :func:`coord_attention_training` can run a block with this
    norm and strip activation on ``x``: a BN of one process (SyncBN's
    statistics need its all-reduce) and an activation it computes."""
    return (isinstance(norm, _BatchNorm)
            and not isinstance(norm, nn.SyncBatchNorm)
            and type(act) in STRIP_ACTIVATIONS and use_fused_ops(x))


def coord_attention_training(x: Tensor,
                             params: Dict[str, Any],
                             norm: nn.Module,
                             act: nn.Module,
                             input_act: Optional[nn.Module] = None) -> Tensor:
    """The paper's block where gradients are wanted, in the compiled ops.

    Args:
        x (Tensor): Input (N, C, H, W), contiguous or channels-last, that
            :func:`fuses_training` accepts.
        params (dict): The layers' parameters by the names of
            :data:`TRAINING_PARAMS`.
        norm (nn.Module): The BN after the shared conv; its running
            statistics are updated as its own forward would.
        act (nn.Module): The strip activation, one of
            :data:`STRIP_ACTIVATIONS`.
        input_act (nn.Module, optional): The activation of the layer that
            produced ``x``, one :func:`takes_input_act` accepts, not yet
            applied: the block is that of ``input_act(x)``, the activation
            applied (and its gradient) as the passes read x.

    Returns:
        Tensor: ``input_act(x) * g^h * g^w`` (N, C, H, W), in x's layout.
    """
    return TrainingBlock.apply(x, input_act_maximum(input_act),
                               STRIP_ACTIVATIONS[type(act)],
                               batch_norm_arguments(norm),
                               *(params[name] for name in TRAINING_PARAMS))


def fuses_inference(x: Tensor, act: nn.Module) -> bool:
    """Whether :func:`coord_attention_inference` can run the block."""
    return type(act) in STRIP_ACTIVATIONS and use_fused_ops(x)


def takes_input_act(input_act: nn.Module) -> bool:
    """Whether :func:`coord_attention_inference` applies ``input_act``."""
    return type(input_act) in INPUT_ACTIVATION_MAXIMA


def coord_attention_inference(x: Tensor,
                              params: Dict[str, Any],
                              act: nn.Module,
                              inplace: bool = False,
                              input_act: Optional[nn.Module] = None,
                              gate_h_out: Optional[Tensor] = None,
                              gate_w_out: Optional[Tensor] = None) -> Tensor:
    """A whole block at inference in one compiled call.

    The BN on running statistics is folded into the shared conv inside the
    call (M values): nothing is cached, so no weight update can go unseen.
    With ``input_act``, the block is that of ``input_act(x)``: both passes
    clamp x as they read it, which saves the activation's own read and
    write of x.

    Args:
        x (Tensor): Input (N, C, H, W), contiguous or channels-last.
        params (dict): The layers' tensors by the op's argument names:
            ``w1`` (M, C, 1, 1) and ``b1`` (M), the shared 1x1 conv;
            ``bn_weight``, ``bn_bias`` (M, or None), ``bn_mean``, ``bn_var``
            (M) and ``eps``, its BN; ``w_h``, ``w_w`` (C, M, 1, 1) and
            ``b_h``, ``b_w`` (C), the gate convs :math:`F_h` and
            :math:`F_w`.
        act (nn.Module): The strip activation, one of
            :data:`STRIP_ACTIVATIONS`.
        inplace (bool): Write the output into ``x``.
        input_act (nn.Module, optional): The activation of the layer that
            produced ``x``, one :func:`takes_input_act` accepts (ReLU,
            ReLU6), not yet applied.
        gate_h_out, gate_w_out (Tensor, optional): Contiguous (N, C, H) and
            (N, C, W) tensors of ``x``'s dtype, both or neither, which the
            op fills with the gates :math:`g^h`, :math:`g^w` it multiplies
            into x: the output is ``x * g^h[..., None] * g^w[..., None, :]``
            (of the activated x), computed in that order.
    """
    op = (torch.ops.mmca.coord_attention_inference_
          if inplace else torch.ops.mmca.coord_attention_inference)
    return op(x, **params, act=STRIP_ACTIVATIONS[type(act)],
              relu_max=input_act_maximum(input_act), gate_h_out=gate_h_out,
              gate_w_out=gate_w_out)
