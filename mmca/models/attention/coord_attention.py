"""Coordinate attention (Hou, Zhou, Feng, CVPR 2021)."""

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule
from mmengine.registry import MODELS

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
    z^h, z^w                (N, C, H, 1), (N, C, 1, W)
    [z^h, z^w]              (N, C, H + W, 1)
    f = act(norm(conv1(.)))  (N, M, H + W, 1)
    g^h, g^w                (N, C, H, 1), (N, C, 1, W)
    y                       (N, C, H, W)
    ======================  ===================

    As in the released model, :math:`F_1`, :math:`F_h` and :math:`F_w` carry a
    bias, :math:`\delta` is BN followed by h-swish, and the gates are sigmoids.

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
        h, w = x.shape[-2:]
        # Means along W and along H, laid end to end as one (H + W) strip so
        # the shared transform runs once: (N, C, H + W, 1).
        strips = torch.cat([x.mean(dim=3), x.mean(dim=2)], dim=2).unsqueeze(-1)
        f = self.act(self.bn1(self.conv1(strips)))
        f_h, f_w = torch.split(f, [h, w], dim=2)
        gate_h = self.conv_h(f_h).sigmoid()                      # (N, C, H, 1)
        gate_w = self.conv_w(f_w).sigmoid().transpose(2, 3)      # (N, C, 1, W)
        return x * gate_h * gate_w
