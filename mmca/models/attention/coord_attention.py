"""Coordinate attention (Hou, Zhou, Feng, CVPR 2021)."""

from typing import Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch.nn.modules.batchnorm import _BatchNorm

from mmca.ops import (coord_attention_inference, coord_gate, fuses_inference,
                      is_exporting, strip_mean)
from mmca.utils.typing import ConfigType, OptMultiConfig


@MODELS.register_module()
class CoordAttention(BaseModule):
    r"""Coordinate attention block.

    For an input :math:`X \in \mathbb{R}^{C \times H \times W}` the block
    embeds position by pooling along each spatial direction (paper eq. 2, 3):

    .. math::
        z^h_c(h) = \frac{1}{W} \sum_{0 \le i < W} x_c(h, i), \qquad
        z^w_c(w) = \frac{1}{H} \sum_{0 \le j < H} x_c(j, w),

    transforms both strips jointly with a shared 1x1 convolution :math:`F_1`
    that reduces the width by :math:`r` (eq. 4), splits them again and turns
    each into a gate (eq. 5, 6), then re-weights the input (eq. 7):

    .. math::
        f = \delta(F_1([z^h, z^w])), \quad
        g^h = \sigma(F_h(f^h)), \quad g^w = \sigma(F_w(f^w)), \quad
        y_c(i, j) = x_c(i, j) \, g^h_c(i) \, g^w_c(j).

    Shapes, with :math:`M = \max(8, C // r)` the mid width:

    ======================  ===================
    x                       (N, C, H, W)
    z^h, z^w                (N, C, H), (N, C, W)
    [z^h, z^w]              (N, C, H + W)
    f = act(norm(conv1(.)))  (N, M, H + W)
    g^h, g^w                (N, C, H), (N, C, W)
    y                       (N, C, H, W)
    ======================  ===================

    As in the released model, :math:`F_1`, :math:`F_h` and :math:`F_w` carry a
    bias, :math:`\delta` is BN followed by h-swish, and the gates are sigmoids.

    The block is memory-bound: only the two passes over x (the strip means,
    the gating) matter. On CPU each is one fused pass (:mod:`mmca.ops`),
    forward and backward, where the plain formulation makes two or three;
    inference folds BN into :math:`F_1` and runs the strip transforms as
    three matrix products over the whole batch. Results match the plain formulation to
    1e-5. Other devices, tracing and ONNX export take plain PyTorch ops
    (``ReduceMean``, no adaptive pooling).

    Args:
        in_channels (int): Channels :math:`C` of the input (and output).
        reduction (int): Reduction ratio :math:`r`. Defaults to 32.
        min_channels (int): Floor on the mid width :math:`M`. Defaults to 8.
        norm_cfg (dict): Norm after the shared conv. Defaults to BN.
        act_cfg (dict): Activation after that norm. Defaults to h-swish.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    _abbr_ = 'coord_att'

    def __init__(self,
                 in_channels: int,
                 reduction: int = 32,
                 min_channels: int = 8,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='HSwish'),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        self.in_channels = in_channels
        self.mid_channels = max(min_channels, in_channels // reduction)
        self.conv1 = nn.Conv2d(in_channels, self.mid_channels, 1)
        self.bn1 = build_norm_layer(norm_cfg, self.mid_channels)[1]
        self.act = build_activation_layer(act_cfg)
        self.conv_h = nn.Conv2d(self.mid_channels, in_channels, 1)
        self.conv_w = nn.Conv2d(self.mid_channels, in_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._inference_with_folded_bn():
            return self._forward_folded(x)
        h, w = x.shape[-2:]
        # Both means in one read of x, end to end as one (H + W) strip so the
        # shared transform runs once.
        z = strip_mean(x)                                     # (N, C, H + W)
        f = self.act(self.bn1(self.conv1(z.unsqueeze(3))))    # (N, M, H+W, 1)
        f_h, f_w = torch.split(f, [h, w], dim=2)
        gate_h = self.conv_h(f_h).sigmoid().squeeze(3)        # (N, C, H)
        gate_w = self.conv_w(f_w).sigmoid().squeeze(3)        # (N, C, W)
        # x * g^h * g^w in one more pass, keeping x's memory format.
        return coord_gate(x, gate_h, gate_w)

    def _inference_with_folded_bn(self) -> bool:
        """No gradient wanted and BN on running statistics: fold it."""
        return (not torch.is_grad_enabled() and not is_exporting()
                and isinstance(self.bn1, _BatchNorm) and not self.bn1.training
                and self.bn1.running_mean is not None)

    def _forward_folded(self, x: torch.Tensor) -> torch.Tensor:
        """Inference with BN folded into conv1.

        The whole batch goes through three matrix products on
        (C or M, N * (H + W)) matrices instead of conv, BN, split and two
        convs per image: the strip work is small, but at late-stage shapes
        its per-op overhead and skinny products rival the passes over x. On
        CPU the block is one compiled call.
        """
        folded = self._folded_params()
        if fuses_inference(x, self.act):
            return coord_attention_inference(x, folded, self.act)
        w1, b1, w_h, b_h, w_w, b_w = folded
        n, c, h, w = x.shape
        z = strip_mean(x).transpose(0, 1).reshape(c, -1)      # (C, N * L)
        f = self.act(torch.addmm(b1, w1, z)).view(-1, n, h + w)  # (M, N, L)
        f_h = f[:, :, :h].reshape(-1, n * h)
        f_w = f[:, :, h:].reshape(-1, n * w)
        gate_h = torch.addmm(b_h, w_h, f_h).sigmoid_().view(c, n, h)
        gate_w = torch.addmm(b_w, w_w, f_w).sigmoid_().view(c, n, w)
        return coord_gate(x, gate_h.transpose(0, 1), gate_w.transpose(0, 1))

    def _folded_params(self) -> Tuple[torch.Tensor, ...]:
        """conv1 with BN folded in, conv_h and conv_w, as matrices.

        Cached until a source tensor changes: in place (``load_state_dict``,
        an optimizer step) or by replacement (``.to()``, ``.data =``).
        """
        sources = self.__dict__.get('_fold_sources')
        if sources is None:
            bn = self.bn1
            sources = (self.conv1.weight, self.conv1.bias, bn.weight, bn.bias,
                       bn.running_mean, bn.running_var, self.conv_h.weight,
                       self.conv_h.bias, self.conv_w.weight,
                       self.conv_w.bias)
            self._fold_sources = sources
        key = [None if t is None else (t.data_ptr(), t._version)
               for t in sources]
        if self.__dict__.get('_folded_key') != key:
            self._folded = self._fold(*sources)
            self._folded_key = key
        return self._folded

    def _fold(self, w1, b1, gamma, beta, mean, var, w_h, b_h, w_w,
              b_w) -> Tuple[torch.Tensor, ...]:
        scale = (var + self.bn1.eps).rsqrt()
        if gamma is not None:
            scale = scale * gamma
        shift = -mean * scale
        if beta is not None:
            shift = shift + beta
        return (w1.flatten(1) * scale[:, None], (b1 * scale + shift)[:, None],
                w_h.flatten(1), b_h[:, None], w_w.flatten(1), b_w[:, None])

    def _apply(self, fn, *args, **kwargs):
        # .to() and friends may replace buffers and parameters: re-collect.
        self.__dict__.pop('_fold_sources', None)
        return super()._apply(fn, *args, **kwargs)

    def _load_from_state_dict(self, *args, **kwargs) -> None:
        # load_state_dict(assign=True) replaces the tensors: re-collect.
        self.__dict__.pop('_fold_sources', None)
        super()._load_from_state_dict(*args, **kwargs)
