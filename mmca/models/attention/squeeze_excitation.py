"""Squeeze-and-excitation (Hu, Shen, Sun, CVPR 2018), as compared in the CA
paper."""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer
from mmengine.model import BaseModule
from mmengine.registry import MODELS

from mmca.utils.typing_utils import ConfigType, OptMultiConfig
from .recording import GateRecorder


@MODELS.register_module()
class SqueezeExcitation(BaseModule):
    r"""Squeeze-and-excitation block with the interface of
    :class:`CoordAttention`.

    .. math::
        z = \frac{1}{HW} \sum_{i, j} x(i, j), \quad
        g = \sigma(W_2 \, \delta(W_1 z)), \quad y = x \cdot g,

    with :math:`z, g` of shape (N, C, 1, 1) and :math:`W_1` reducing to
    :math:`M = \max(8, C // r)` channels. The defaults follow the comparison
    code of the CA authors: biased 1x1 convs, ReLU6, no norm, and
    :math:`r = 24`, which puts MobileNetV2 + SE at the paper's 3.89M params.

    Args:
        in_channels (int): Channels :math:`C` of the input (and output).
        reduction (int): Reduction ratio :math:`r`. Defaults to 24.
        min_channels (int): Floor on the mid width :math:`M`. Defaults to 8.
        act_cfg (dict): Activation :math:`\delta`. Defaults to ReLU6.
        inplace (bool): At inference (no gradient wanted), re-weight the
            input in place. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    _abbr_ = 'se'
    #: Set by :func:`record_gates` while it records: ``forward`` then hands
    #: it the gate it applies, ``channel`` (N, C, 1, 1).
    gate_recorder: Optional[GateRecorder] = None

    def __init__(self,
                 in_channels: int,
                 reduction: int = 24,
                 min_channels: int = 8,
                 act_cfg: ConfigType = dict(type='ReLU6'),
                 inplace: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        self.in_channels = in_channels
        self.inplace = inplace
        self.mid_channels = max(min_channels, in_channels // reduction)
        self.conv1 = nn.Conv2d(in_channels, self.mid_channels, 1)
        self.act = build_activation_layer(act_cfg)
        self.conv2 = nn.Conv2d(self.mid_channels, in_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x.mean(dim=(2, 3), keepdim=True)
        gate = self.conv2(self.act(self.conv1(z))).sigmoid()
        if self.gate_recorder is not None:
            self.gate_recorder(self, channel=gate)
        if self.inplace and not torch.is_grad_enabled():
            return x.mul_(gate)
        return x * gate
