"""MobileNetV3 (Large and Small) with coordinate attention."""
from typing import List, Optional, Sequence, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.registry import MODELS

from mmca.models.layers import InvertedResidual
from mmca.models.layers.activations import activation_cfg
from mmca.utils.typing_utils import ConfigType, OptConfigType, OptMultiConfig
from .staged_backbone import StagedBackbone

#: MobileNetV3's own SE: squeeze to the expanded width / 4 rounded to a
#: multiple of 8, ReLU, hard sigmoid. ``attention=MOBILENETV3_SE`` builds the
#: standard network.
MOBILENETV3_SE = dict(type='SqueezeExcitation', reduction=4, divisor=8,
                      act_cfg=dict(type='ReLU'),
                      gate_cfg=dict(type='Hardsigmoid'))

#: One block: kernel size of its depthwise conv, expanded width ("exp
#: size"), output width, whether it has the attention slot ("SE"), and its
#: activation ("NL": ReLU or h-swish).
Block = Tuple[int, int, int, bool, str]


class MobileNetV3CA(StagedBackbone):
    """MobileNetV3 (Howard et al., ICCV 2019) with an attention of choice.

    The base of :class:`MobileNetV3LargeCA` and :class:`MobileNetV3SmallCA`,
    which differ only by their tables. ``arch_settings`` is Table 1 (Large)
    or Table 2 (Small) of the MobileNetV3 paper, its blocks grouped into
    stages as timm groups them (a new stage at each stride or width change);
    each row of a stage is one inverted residual block. The stem ``conv1``
    is a 3x3 stride-2 conv to 16 channels with h-swish; stages
    ``layer1``..``layerN`` are the block groups and the last stage ``conv2``
    is the 1x1 conv (with BN and h-swish) before pooling. The classifier's
    1x1 conv to 1280 (1024) channels after pooling is the head's.

    The attention sits where MobileNetV3 has its SE, after the depthwise
    conv of the blocks marked in the table, and nowhere else:
    ``attention=MOBILENETV3_SE`` is MobileNetV3 itself (it loads timm's and
    mmpretrain's weights through :mod:`mmca.models.converters`),
    ``dict(type='CoordAttention')`` (default) puts CA in those blocks
    instead, None leaves them without attention.

    Args:
        strides (Sequence[int], optional): Stride of the first block of each
            block stage. Defaults to the network's (None).
        dilations (Sequence[int], optional): Dilation of the depthwise convs
            of every block of each block stage, as in
            :class:`MobileNetV2CA`. Defaults to all 1 (None).
        out_indices (Sequence[int], optional): Stages to return. Defaults
            to the last stage at each output stride from 4 on (None).
        frozen_stages (int): Freeze the stem and that many stages; -1 for
            none. Defaults to -1.
        attention (dict, optional): Attention in each block that has the
            SE slot. Defaults to ``dict(type='CoordAttention')``.
        stage_with_attention (Sequence[bool], optional): Which block stages
            carry ``attention`` (in their blocks with the SE slot), one
            boolean per block stage. Defaults to None: all.
        conv_cfg (dict, optional): Conv layer config. Defaults to None.
        norm_cfg (dict): Norm layer config. Defaults to BN (mmpretrain's
            and torchvision's MobileNetV3 use eps=1e-3, timm's 1e-5).
        norm_eval (bool): Keep norm layers in eval mode while training.
            Defaults to False.
        zero_init_residual (bool): Start each residual block as the
            identity (see :class:`StagedBackbone`). Defaults to False.
        with_cp (bool): Use checkpointing in the blocks. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    arch_settings: List[List[Block]]
    #: The attention of MobileNetV3 itself.
    own_attention = MOBILENETV3_SE
    #: Width of the stem and of the final 1x1 conv.
    stem_channels = 16
    last_channels: int
    #: Width of the 1x1 conv (bias, no norm, h-swish) after global pooling
    #: in the ImageNet classifier ("conv2d 1x1, NBN" in the paper's tables).
    head_hidden_size: int
    default_strides: Tuple[int, ...]
    default_out_indices: Tuple[int, ...]

    def __init__(self,
                 strides: Optional[Sequence[int]] = None,
                 dilations: Optional[Sequence[int]] = None,
                 out_indices: Optional[Sequence[int]] = None,
                 frozen_stages: int = -1,
                 attention: OptConfigType = dict(type='CoordAttention'),
                 stage_with_attention: Optional[Sequence[bool]] = None,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 norm_eval: bool = False,
                 zero_init_residual: bool = False,
                 with_cp: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        num_block_stages = len(self.arch_settings)
        super().__init__(
            self.default_out_indices if out_indices is None else out_indices,
            frozen_stages, norm_eval, zero_init_residual, init_cfg,
            stage_with_attention)
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        hswish = activation_cfg('HSwish')
        self.conv1 = ConvModule(3, self.stem_channels, 3, stride=2,
                                padding=1, act_cfg=hswish, **common)
        in_channels = self.stem_channels
        stage_settings = self.stage_settings(
            self.default_strides if strides is None else strides,
            (1, ) * num_block_stages if dilations is None else dilations)
        for i, (blocks, stride, dilation) in enumerate(stage_settings):
            stage_attention = self.stage_attention(i, attention)
            stage = []
            for j, (kernel_size, mid_channels, out_channels, with_attention,
                    act) in enumerate(blocks):
                stage.append(
                    InvertedResidual(
                        in_channels, out_channels,
                        stride=stride if j == 0 else 1,
                        expand_ratio=mid_channels / in_channels,
                        dilation=dilation,
                        kernel_size=kernel_size,
                        attention=(stage_attention
                                   if with_attention else None),
                        act_cfg=activation_cfg(act),
                        with_cp=with_cp, **common))
                in_channels = out_channels
            self.add_stage(f'layer{i + 1}', nn.Sequential(*stage))
        if self.num_built_stages > num_block_stages:
            self.add_stage(
                'conv2',
                ConvModule(in_channels, self.last_channels, 1,
                           act_cfg=hswish, **common))
            in_channels = self.last_channels
        self.out_channels = in_channels


@MODELS.register_module()
class MobileNetV3LargeCA(MobileNetV3CA):
    """MobileNetV3-Large with an attention of choice (see
    :class:`MobileNetV3CA` for the arguments).

    ======  ==============  ===========  ========================
    stage   channels        stride (OS)  attention (SE) in blocks
    ======  ==============  ===========  ========================
    0       16              2            -
    1       24              4            -
    2       40              8            all 3
    3       80              16           -
    4       112             16           both
    5       160             32           all 3
    6       960 (``conv2``)  32           -
    ======  ==============  ===========  ========================

    With its SE and a 1000-way classifier behind the 1280-wide head conv
    this is timm's ``mobilenetv3_large_100``, 5,483,032 params.
    """

    arch_settings = [
        [[3, 16, 16, False, 'ReLU']],
        [[3, 64, 24, False, 'ReLU'], [3, 72, 24, False, 'ReLU']],
        [[5, 72, 40, True, 'ReLU'], [5, 120, 40, True, 'ReLU'],
         [5, 120, 40, True, 'ReLU']],
        [[3, 240, 80, False, 'HSwish'], [3, 200, 80, False, 'HSwish'],
         [3, 184, 80, False, 'HSwish'], [3, 184, 80, False, 'HSwish']],
        [[3, 480, 112, True, 'HSwish'], [3, 672, 112, True, 'HSwish']],
        [[5, 672, 160, True, 'HSwish'], [5, 960, 160, True, 'HSwish'],
         [5, 960, 160, True, 'HSwish']],
    ]  # yapf: disable
    last_channels = 960
    head_hidden_size = 1280
    num_stages = len(arch_settings) + 1      # and the final 1x1 conv
    default_strides = (1, 2, 2, 2, 1, 2)
    default_out_indices = (1, 2, 4, 6)


@MODELS.register_module()
class MobileNetV3SmallCA(MobileNetV3CA):
    """MobileNetV3-Small with an attention of choice (see
    :class:`MobileNetV3CA` for the arguments).

    ======  ==============  ===========  ========================
    stage   channels        stride (OS)  attention (SE) in blocks
    ======  ==============  ===========  ========================
    0       16              4            the one
    1       24              8            -
    2       40              16           all 3
    3       48              16           both
    4       96              32           all 3
    5       576 (``conv2``)  32           -
    ======  ==============  ===========  ========================

    With its SE and a 1000-way classifier behind the 1024-wide head conv
    this is timm's ``mobilenetv3_small_100``, 2,542,856 params.
    """

    arch_settings = [
        [[3, 16, 16, True, 'ReLU']],
        [[3, 72, 24, False, 'ReLU'], [3, 88, 24, False, 'ReLU']],
        [[5, 96, 40, True, 'HSwish'], [5, 240, 40, True, 'HSwish'],
         [5, 240, 40, True, 'HSwish']],
        [[5, 120, 48, True, 'HSwish'], [5, 144, 48, True, 'HSwish']],
        [[5, 288, 96, True, 'HSwish'], [5, 576, 96, True, 'HSwish'],
         [5, 576, 96, True, 'HSwish']],
    ]  # yapf: disable
    last_channels = 576
    head_hidden_size = 1024
    num_stages = len(arch_settings) + 1      # and the final 1x1 conv
    default_strides = (2, 2, 2, 1, 2)
    default_out_indices = (0, 1, 3, 5)
