"""MobileNeXt with coordinate attention, for detection and segmentation."""
import math
from typing import Optional, Sequence

import torch.nn as nn
from mmengine.registry import MODELS

from mmca.models.layers import SandglassBlock
from mmca.models.layers.activations import RELU6
from mmca.utils.typing_utils import ConfigType, OptConfigType, OptMultiConfig
from .staged_backbone import StagedBackbone, make_divisible


@MODELS.register_module()
class MobileNeXtCA(StagedBackbone):
    """MobileNeXt (Zhou et al., ECCV 2020) with an attention of choice.

    Stages 0..7 (``layer1``..``layer8``) are the eight groups of sandglass
    blocks of the released MobileNeXt (there is no final 1x1 conv: the last
    block already widens to 1280); the stem is ``conv1``. As there, a block
    whose input and output widths differ inside a multi-block stage (the
    first block of stages 2..6) has no first depthwise conv, and one that
    also keeps the stride (stages 4 and 6) has no second one.

    The attention goes after the first depthwise conv (Fig. 3b of the CA
    paper), and after the 1x1 expansion in blocks without that conv (see
    :class:`SandglassBlock`). With a 1000-way classifier this gives
    3,535,416 params plain and 4,120,369 with CA, the paper's 3.5M and 4.09M
    (+0.7%; attending the input of those blocks instead would give 4.04M).

    ======  ========  ===========
    stage   channels  stride (OS)
    ======  ========  ===========
    0       96        4
    1       144       4
    2       192       8
    3       288       16
    4       384       16
    5       576       32
    6       960       32
    7       1280      32
    ======  ========  ===========

    Args:
        widen_factor (float): Width multiplier. Defaults to 1.0.
        strides (Sequence[int]): Stride of the first block of each stage.
            Defaults to (2, 1, 2, 2, 1, 2, 1, 1).
        dilations (Sequence[int]): Dilation of the depthwise convs of every
            block of each stage (as in :class:`MobileNetV2CA`). Output stride
            8: ``strides=(2, 1, 2, 1, 1, 1, 1, 1)``,
            ``dilations=(1, 1, 1, 2, 2, 4, 4, 4)``. Defaults to all 1.
        out_indices (Sequence[int]): Stages to return. Defaults to (4, 7),
            the stride-16 and stride-32 maps an SSDLite neck takes.
        frozen_stages (int): Freeze the stem and that many stages; -1 for
            none. Defaults to -1.
        attention (dict, optional): Attention in each block; defaults to
            ``dict(type='CoordAttention')``, None for plain MobileNeXt.
        stage_with_attention (Sequence[bool], optional): Which of the eight
            stages carry ``attention``, e.g. ``(False, ) * 3 + (True, ) * 5``
            for stride 16 and below only. Defaults to None: all, as in the
            paper.
        conv_cfg (dict, optional): Conv layer config. Defaults to None.
        norm_cfg (dict): Norm layer config. Defaults to BN.
        act_cfg (dict): Activation config. Defaults to ReLU6, out of place
            (:data:`~mmca.models.layers.activations.RELU6`).
        norm_eval (bool): Keep norm layers in eval mode while training.
        zero_init_residual (bool): Start each residual block as the
            identity (see :class:`StagedBackbone`). Defaults to False.
        with_cp (bool): Use checkpointing in the blocks. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    # reduction_ratio, channels, num_blocks of each stage (Table 2 of the
    # MobileNeXt paper; its strides are the default of ``strides``)
    arch_settings = [[2, 96, 1], [6, 144, 1], [6, 192, 3], [6, 288, 3],
                     [6, 384, 4], [6, 576, 4], [6, 960, 3], [6, 1280, 1]]
    # The last stage keeps 1280 channels below width 1.0, as in the
    # released MobileNeXt.
    last_channels = 1280
    # The waist of a block is in / t, but at least out / 6 rounded up to a
    # multiple of 16 (the released MobileNeXt's rule).
    min_waist_ratio = 6
    waist_divisor = 16
    num_stages = len(arch_settings)

    def __init__(self,
                 widen_factor: float = 1.,
                 strides: Sequence[int] = (2, 1, 2, 2, 1, 2, 1, 1),
                 dilations: Sequence[int] = (1, 1, 1, 1, 1, 1, 1, 1),
                 out_indices: Sequence[int] = (4, 7),
                 frozen_stages: int = -1,
                 attention: OptConfigType = dict(type='CoordAttention'),
                 stage_with_attention: Optional[Sequence[bool]] = None,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = RELU6,
                 norm_eval: bool = False,
                 zero_init_residual: bool = False,
                 with_cp: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(out_indices, frozen_stages, norm_eval,
                         zero_init_residual, init_cfg, stage_with_attention)
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        in_channels = self.build_stem(widen_factor, **common)
        stage_settings = self.stage_settings(strides, dilations)
        for i, ((reduction_ratio, channels, num_blocks), stride,
                dilation) in enumerate(stage_settings):
            out_channels = make_divisible(channels * widen_factor)
            if channels == self.last_channels:
                out_channels = max(out_channels, self.last_channels)
            blocks = []
            for j in range(num_blocks):
                block_stride = stride if j == 0 else 1
                is_transition = (num_blocks > 1 and j == 0
                                 and in_channels != out_channels)
                blocks.append(
                    SandglassBlock(
                        in_channels, out_channels,
                        mid_channels=self._mid_channels(
                            in_channels, out_channels, reduction_ratio),
                        stride=block_stride,
                        dilation=dilation,
                        with_depthwise_conv1=not is_transition,
                        with_depthwise_conv2=not is_transition
                        or block_stride == 2,
                        attention=self.stage_attention(i, attention),
                        with_cp=with_cp, **common))
                in_channels = out_channels
            self.add_stage(f'layer{i + 1}', nn.Sequential(*blocks))
        self.out_channels = in_channels

    @classmethod
    def _mid_channels(cls, in_channels: int, out_channels: int,
                      reduction_ratio: int) -> int:
        """The waist of a block (see ``min_waist_ratio``)."""
        mid_channels = in_channels // reduction_ratio
        if mid_channels < out_channels / cls.min_waist_ratio:
            mid_channels = make_divisible(
                math.ceil(out_channels / cls.min_waist_ratio),
                cls.waist_divisor)
        return mid_channels
