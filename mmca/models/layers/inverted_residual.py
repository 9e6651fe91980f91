"""The inverted residual block of MobileNetV2 (and of MobileNetV3 and
EfficientNet) with an attention slot."""
from typing import Optional

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmca.models.attention import build_attention
from mmca.utils.typing_utils import ConfigType, OptConfigType, OptMultiConfig
from .activations import RELU6
from .conv_attention import conv_attention


class InvertedResidual(BaseModule):
    """Inverted residual block (Sandler et al., CVPR 2018) with attention.

    ``expand_conv`` (1x1, to ``in_channels * expand_ratio``; absent when the
    ratio is 1) -> ``depthwise_conv`` (``kernel_size``, stride, dilation) ->
    ``attention`` -> ``linear_conv`` (1x1, no activation), plus the identity
    when the block keeps shape. The attention slot is the one of Fig. 3a of
    the CA paper: after the depthwise conv and its norm and activation, on
    the wide tensor. It is where MobileNetV3 and EfficientNet have their SE.
    The submodule names match mmdet's ``InvertedResidual``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the depthwise conv.
        expand_ratio (float): Width of the block relative to ``in_channels``.
        dilation (int): Dilation of the depthwise conv. Defaults to 1.
        kernel_size (int): Kernel size of the depthwise conv (odd).
            Defaults to 3.
        attention (dict, optional): Attention after the depthwise conv, see
            :func:`build_attention`. Defaults to
            None.
        conv_cfg (dict, optional): Conv layer config. Defaults to None.
        norm_cfg (dict): Norm layer config. Defaults to BN.
        act_cfg (dict): Activation config. Defaults to ReLU6, out of place
            (:data:`~mmca.models.layers.activations.RELU6`).
        with_cp (bool): Trade compute for memory with checkpointing.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int,
                 expand_ratio: float,
                 dilation: int = 1,
                 kernel_size: int = 3,
                 attention: OptConfigType = None,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = RELU6,
                 with_cp: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        if stride not in (1, 2):
            raise ValueError(f'stride must be 1 or 2, but got {stride}')
        self.with_cp = with_cp
        self.use_res_connect = stride == 1 and in_channels == out_channels
        mid_channels = int(round(in_channels * expand_ratio))
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        self.expand_conv = (
            ConvModule(in_channels, mid_channels, 1, act_cfg=act_cfg, **common)
            if mid_channels != in_channels else None)
        self.depthwise_conv = ConvModule(
            mid_channels, mid_channels, kernel_size, stride=stride,
            padding=dilation * (kernel_size - 1) // 2, dilation=dilation,
            groups=mid_channels, act_cfg=act_cfg, **common)
        # The depthwise output feeds only the attention: gate it in place.
        self.attention = build_attention(
            attention, mid_channels, inplace=True, norm_cfg=norm_cfg,
            block_in_channels=in_channels)
        self.linear_conv = ConvModule(
            mid_channels, out_channels, 1, act_cfg=None, **common)

    @property
    def residual_norm(self) -> Optional[nn.Module]:
        """The last norm of the branch added to the identity, if any."""
        return self.linear_conv.norm if self.use_res_connect else None

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x if self.expand_conv is None else self.expand_conv(x)
        out = conv_attention(self.depthwise_conv, self.attention, out)
        out = self.linear_conv(out)
        return x + out if self.use_res_connect else out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.with_cp and x.requires_grad:
            return cp.checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)
