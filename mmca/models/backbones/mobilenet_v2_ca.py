"""MobileNetV2 with coordinate attention, for detection and segmentation."""
from typing import Optional, Sequence

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.registry import MODELS

from mmca.models.layers import InvertedResidual
from mmca.models.layers.activations import RELU6
from mmca.utils.typing_utils import ConfigType, OptConfigType, OptMultiConfig
from .staged_backbone import StagedBackbone, make_divisible


@MODELS.register_module()
class MobileNetV2CA(StagedBackbone):
    """MobileNetV2 (Sandler et al., CVPR 2018) with an attention of choice.

    One backbone for detection (mmdet's indices) and segmentation (mmseg's
    ``strides``/``dilations``). Stages 0..6 are the seven groups of inverted
    residual blocks (``layer1``..``layer7``), stage 7 the final 1x1 conv to
    1280 channels (``conv2``); the stem is ``conv1``. The attention sits
    where the released MobileNetV2-CA has it: after the depthwise conv of
    every block with expansion; the first block (expansion 1) has none.

    ======  ========  ===========  ==================
    stage   channels  stride (OS)  CA mid width (r=32)
    ======  ========  ===========  ==================
    0       16        2            -
    1       24        4            8
    2       32        8            8
    3       64        16           8 / 12
    4       96        16           12 / 18
    5       160       32           18 / 30
    6       320       32           30
    7       1280      32           -
    ======  ========  ===========  ==================

    With a 1000-way classifier on stage 7 this is 3,504,872 params without
    attention and 3,950,648 with CA, the paper's 3.5M and 3.95M.

    Args:
        widen_factor (float): Width multiplier. Defaults to 1.0.
        strides (Sequence[int]): Stride of the first block of each of the
            seven block stages. Defaults to (1, 2, 2, 2, 1, 2, 1).
        dilations (Sequence[int]): Dilation of the depthwise convs of every
            block of each block stage. Output stride 8:
            ``strides=(1, 2, 2, 1, 1, 1, 1)``,
            ``dilations=(1, 1, 1, 2, 2, 4, 4)``. mmseg's MobileNetV2 dilates
            only the first block of a stage; dilating all of them, as DeepLab
            does where it trades a stride for dilation, keeps the receptive
            field each block had at the lower resolution. Defaults to all 1.
        out_indices (Sequence[int]): Stages to return. Defaults to
            (1, 2, 4, 7).
        frozen_stages (int): Freeze the stem and that many stages; -1 for
            none. Defaults to -1.
        attention (dict, optional): Attention in each expanding block, e.g.
            ``dict(type='CoordAttention')`` (default), ``SqueezeExcitation``,
            ``CBAM``, or None for plain MobileNetV2.
        stage_with_attention (Sequence[bool], optional): Which of the seven
            block stages carry ``attention``, e.g. ``(False, False, False,
            True, True, True, True)`` for stride 16 and below only; stage 0
            has no expansion, so no attention, either way. Defaults to None:
            all, as in the paper.
        conv_cfg (dict, optional): Conv layer config. Defaults to None.
        norm_cfg (dict): Norm layer config. Defaults to BN.
        act_cfg (dict): Activation config. Defaults to ReLU6, out of place
            (:data:`~mmca.models.layers.activations.RELU6`).
        norm_eval (bool): Keep norm layers in eval mode while training.
            Defaults to False.
        zero_init_residual (bool): Start each residual block as the
            identity (see :class:`StagedBackbone`). Defaults to False.
        with_cp (bool): Use checkpointing in the blocks. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialization config;
            ``dict(type='Pretrained', checkpoint=...)`` loads weights made by
            ``tools/model_converters/coordattention_to_mmca.py``.
    """

    # expand_ratio, channels, num_blocks of each block stage (Table 2 of the
    # MobileNetV2 paper; its strides are the default of ``strides``)
    arch_settings = [[1, 16, 1], [6, 24, 2], [6, 32, 3], [6, 64, 4],
                     [6, 96, 3], [6, 160, 3], [6, 320, 1]]
    # The final 1x1 conv keeps 1280 channels below width 1.0 and widens
    # above it, as in the MobileNetV2 paper.
    last_channels = 1280
    num_stages = len(arch_settings) + 1      # and the final 1x1 conv

    def __init__(self,
                 widen_factor: float = 1.,
                 strides: Sequence[int] = (1, 2, 2, 2, 1, 2, 1),
                 dilations: Sequence[int] = (1, 1, 1, 1, 1, 1, 1),
                 out_indices: Sequence[int] = (1, 2, 4, 7),
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
        for i, ((expand_ratio, channels, num_blocks), stride,
                dilation) in enumerate(stage_settings):
            out_channels = make_divisible(channels * widen_factor)
            stage_attention = self.stage_attention(i, attention)
            blocks = []
            for j in range(num_blocks):
                blocks.append(
                    InvertedResidual(
                        in_channels, out_channels,
                        stride=stride if j == 0 else 1,
                        expand_ratio=expand_ratio,
                        dilation=dilation,
                        attention=(stage_attention
                                   if expand_ratio != 1 else None),
                        with_cp=with_cp, **common))
                in_channels = out_channels
            self.add_stage(f'layer{i + 1}', nn.Sequential(*blocks))
        if self.num_built_stages > len(self.arch_settings):
            last_channels = int(self.last_channels * max(1., widen_factor))
            self.add_stage(
                'conv2', ConvModule(in_channels, last_channels, 1, **common))
            in_channels = last_channels
        self.out_channels = in_channels
