"""Convolutional block attention module (Woo et al., ECCV 2018)."""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule, build_activation_layer
from mmengine.model import BaseModule
from mmengine.registry import MODELS

from mmca.utils.typing_utils import ConfigType, OptMultiConfig
from .recording import GateRecorder


@MODELS.register_module()
class CBAM(BaseModule):
    r"""CBAM with the interface of :class:`CoordAttention`.

    Channel attention, then spatial attention (paper eq. 2, 3):

    .. math::
        g^c = \sigma(\mathrm{MLP}(\mathrm{AvgPool}(x))
        + \mathrm{MLP}(\mathrm{MaxPool}(x))),
        \quad x' = x \cdot g^c,

        g^s = \sigma(\mathrm{BN}(f^{k \times k}(
        [\mathrm{mean}_c(x'), \max_c(x')]))),
        \quad y = x' \cdot g^s,

    with :math:`g^c` of shape (N, C, 1, 1), :math:`g^s` of shape (N, 1, H, W)
    and a shared MLP of biased 1x1 convs through :math:`M = \max(8, C // r)`
    channels. :math:`r = 24` puts MobileNetV2 + CBAM at the paper's 3.89M.

    Args:
        in_channels (int): Channels :math:`C` of the input (and output).
        reduction (int): Reduction ratio :math:`r`. Defaults to 24.
        min_channels (int): Floor on the mid width :math:`M`. Defaults to 8.
        kernel_size (int): Size :math:`k` of the spatial conv. Defaults to 7.
        norm_cfg (dict): Norm after the spatial conv. Defaults to BN.
        act_cfg (dict): Activation inside the MLP. Defaults to ReLU.
        inplace (bool): At inference (no gradient wanted), re-weight the
            input in place. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    _abbr_ = 'cbam'
    #: Set by :func:`record_gates` while it records: ``forward`` then hands
    #: it the gates it applies, ``channel`` (N, C, 1, 1) then ``spatial``
    #: (N, 1, H, W).
    gate_recorder: Optional[GateRecorder] = None

    def __init__(self,
                 in_channels: int,
                 reduction: int = 24,
                 min_channels: int = 8,
                 kernel_size: int = 7,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 inplace: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        self.in_channels = in_channels
        self.inplace = inplace
        self.mid_channels = max(min_channels, in_channels // reduction)
        self.channel_mlp = nn.Sequential(
            nn.Conv2d(in_channels, self.mid_channels, 1),
            build_activation_layer(act_cfg),
            nn.Conv2d(self.mid_channels, in_channels, 1))
        self.spatial_conv = ConvModule(
            2, 1, kernel_size, padding=kernel_size // 2,
            norm_cfg=norm_cfg, act_cfg=None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        avg = self.channel_mlp(x.mean(dim=(2, 3), keepdim=True))
        peak = self.channel_mlp(x.amax(dim=(2, 3), keepdim=True))
        inplace = self.inplace and not torch.is_grad_enabled()
        channel_gate = (avg + peak).sigmoid()
        x = x.mul_(channel_gate) if inplace else x * channel_gate
        pooled = torch.cat([x.mean(dim=1, keepdim=True),
                            x.amax(dim=1, keepdim=True)], dim=1)
        spatial_gate = self.spatial_conv(pooled).sigmoid()
        if self.gate_recorder is not None:
            self.gate_recorder(self, channel=channel_gate,
                               spatial=spatial_gate)
        return x.mul_(spatial_gate) if inplace else x * spatial_gate
