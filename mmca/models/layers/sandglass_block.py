"""The sandglass block of MobileNeXt with an attention slot."""
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


class SandglassBlock(BaseModule):
    """Sandglass block (Zhou et al., ECCV 2020) with attention.

    ``depthwise_conv1`` (3x3 on the wide input, with activation) ->
    ``reduce_conv`` (1x1 to ``mid_channels``, linear) -> ``expand_conv``
    (1x1 back to ``out_channels``, with activation) -> ``depthwise_conv2``
    (3x3, stride, linear), plus the identity when the block keeps shape.
    Either depthwise conv can be left out, as in the released MobileNeXt
    where blocks that change width have no first one.

    The ``attention`` goes after the first depthwise conv (Fig. 3b of the CA
    paper). A block without that conv has no spatial filtering before its
    waist, so the attention goes after ``expand_conv`` instead: on the wide
    tensor right after the channel-expanding layer, which is where the CA
    authors advise placing it in blocks of other shapes.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        mid_channels (int): Width at the waist of the sandglass.
        stride (int): Stride of the second depthwise conv.
        dilation (int): Dilation of both depthwise convs. Defaults to 1.
        with_depthwise_conv1 (bool): Build the first depthwise conv.
        with_depthwise_conv2 (bool): Build the second depthwise conv; must be
            True when ``stride`` is 2.
        attention (dict, optional): Attention after the first depthwise
            conv, or after ``expand_conv`` without it; see
            :func:`build_attention`. Defaults to None.
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
                 mid_channels: int,
                 stride: int,
                 dilation: int = 1,
                 with_depthwise_conv1: bool = True,
                 with_depthwise_conv2: bool = True,
                 attention: OptConfigType = None,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = RELU6,
                 with_cp: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        if stride not in (1, 2):
            raise ValueError(f'stride must be 1 or 2, but got {stride}')
        if stride == 2 and not with_depthwise_conv2:
            raise ValueError('a stride-2 sandglass block needs its second '
                             'depthwise conv, which carries the stride')
        self.with_cp = with_cp
        self.use_res_connect = stride == 1 and in_channels == out_channels
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        self.depthwise_conv1 = ConvModule(
            in_channels, in_channels, 3, padding=dilation, dilation=dilation,
            groups=in_channels, act_cfg=act_cfg,
            **common) if with_depthwise_conv1 else None
        self.attention_after_expand = not with_depthwise_conv1
        # Its input (a conv's output) feeds only the attention: in place.
        self.attention = build_attention(
            attention,
            out_channels if self.attention_after_expand else in_channels,
            inplace=True, norm_cfg=norm_cfg)
        self.reduce_conv = ConvModule(
            in_channels, mid_channels, 1, act_cfg=None, **common)
        self.expand_conv = ConvModule(
            mid_channels, out_channels, 1, act_cfg=act_cfg, **common)
        self.depthwise_conv2 = ConvModule(
            out_channels, out_channels, 3, stride=stride, padding=dilation,
            dilation=dilation, groups=out_channels, act_cfg=None,
            **common) if with_depthwise_conv2 else None

    @property
    def residual_norm(self) -> Optional[nn.Module]:
        """The last norm of the branch added to the identity, if any."""
        if not self.use_res_connect:
            return None
        last = (self.expand_conv if self.depthwise_conv2 is None else
                self.depthwise_conv2)
        return last.norm

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.depthwise_conv1 is None:
            out = conv_attention(self.expand_conv, self.attention,
                                 self.reduce_conv(x))
        else:
            out = conv_attention(self.depthwise_conv1, self.attention, x)
            out = self.expand_conv(self.reduce_conv(out))
        if self.depthwise_conv2 is not None:
            out = self.depthwise_conv2(out)
        return x + out if self.use_res_connect else out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.with_cp and x.requires_grad:
            return cp.checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)
