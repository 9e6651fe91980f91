"""EfficientNet-B0 with coordinate attention."""
from typing import Optional, Sequence

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.registry import MODELS

from mmca.models.layers import InvertedResidual
from mmca.models.layers.activations import activation_cfg
from mmca.utils.typing_utils import ConfigType, OptConfigType, OptMultiConfig
from .staged_backbone import StagedBackbone

#: EfficientNet's own SE: squeeze to a quarter of the width entering the
#: block (not of the expanded width it re-weights), SiLU, sigmoid.
#: ``attention=EFFICIENTNET_SE`` builds the standard network.
EFFICIENTNET_SE = dict(type='SqueezeExcitation', reduction=4,
                       min_channels=1, squeeze_from='block_input',
                       act_cfg=dict(type='SiLU'))


@MODELS.register_module()
class EfficientNetB0CA(StagedBackbone):
    """EfficientNet-B0 (Tan and Le, ICML 2019) with an attention of choice.

    ``arch_settings`` is Table 1 of the EfficientNet paper: stages 0..6
    (``layer1``..``layer7``) are its seven MBConv stages, inverted residual
    blocks with SE; stage 7 (``conv2``) is its 1x1 conv to 1280 channels;
    the stem ``conv1`` is a 3x3 stride-2 conv to 32. Every layer has BN and,
    but for the 1x1 convs that end each block, SiLU (swish).

    The attention sits where EfficientNet has its SE, after the depthwise
    conv of every block: ``attention=EFFICIENTNET_SE`` is EfficientNet-B0
    itself (it loads timm's ``efficientnet_b0`` and mmpretrain's
    ``EfficientNet(arch='b0')`` weights through
    :mod:`mmca.models.converters`), ``dict(type='CoordAttention')``
    (default) puts CA in those places instead, None leaves the blocks
    without attention.

    ======  ========  ===========  ======
    stage   channels  stride (OS)  kernel
    ======  ========  ===========  ======
    0       16        2            3
    1       24        4            3
    2       40        8            5
    3       80        16           3
    4       112       16           5
    5       192       32           5
    6       320       32           3
    7       1280      32           1
    ======  ========  ===========  ======

    With its SE and a 1000-way classifier this is 5,288,548 params, timm's
    ``efficientnet_b0``.

    Args:
        strides (Sequence[int]): Stride of the first block of each of the
            seven block stages. Defaults to (1, 2, 2, 2, 1, 2, 1).
        dilations (Sequence[int]): Dilation of the depthwise convs of every
            block of each block stage, as in :class:`MobileNetV2CA`.
            Defaults to all 1.
        out_indices (Sequence[int]): Stages to return. Defaults to
            (1, 2, 4, 7), the last stage at each output stride from 4 on.
        frozen_stages (int): Freeze the stem and that many stages; -1 for
            none. Defaults to -1.
        attention (dict, optional): Attention in each block. Defaults to
            ``dict(type='CoordAttention')``.
        stage_with_attention (Sequence[bool], optional): Which of the seven
            block stages carry ``attention``. Defaults to None: all.
        conv_cfg (dict, optional): Conv layer config; mmpretrain's
            EfficientNet pads as TensorFlow does,
            ``dict(type='Conv2dAdaptivePadding')``. Defaults to None.
        norm_cfg (dict): Norm layer config. Defaults to BN (mmpretrain's
            EfficientNet uses eps=1e-3, timm's 1e-5).
        act_cfg (dict): Activation config. Defaults to SiLU, out of place
            (:func:`~mmca.models.layers.activations.activation_cfg`).
        norm_eval (bool): Keep norm layers in eval mode while training.
            Defaults to False.
        zero_init_residual (bool): Start each residual block as the
            identity (see :class:`StagedBackbone`). Defaults to False.
        with_cp (bool): Use checkpointing in the blocks. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    # expand_ratio, kernel_size, channels, num_blocks of each block stage
    # (MBConv1 and MBConv6 of Table 1; its strides are the default of
    # ``strides``)
    arch_settings = [[1, 3, 16, 1], [6, 3, 24, 2], [6, 5, 40, 2],
                     [6, 3, 80, 3], [6, 5, 112, 3], [6, 5, 192, 4],
                     [6, 3, 320, 1]]
    last_channels = 1280
    #: The attention of EfficientNet itself.
    own_attention = EFFICIENTNET_SE
    num_stages = len(arch_settings) + 1      # and the final 1x1 conv

    def __init__(self,
                 strides: Sequence[int] = (1, 2, 2, 2, 1, 2, 1),
                 dilations: Sequence[int] = (1, 1, 1, 1, 1, 1, 1),
                 out_indices: Sequence[int] = (1, 2, 4, 7),
                 frozen_stages: int = -1,
                 attention: OptConfigType = dict(type='CoordAttention'),
                 stage_with_attention: Optional[Sequence[bool]] = None,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = activation_cfg('SiLU'),
                 norm_eval: bool = False,
                 zero_init_residual: bool = False,
                 with_cp: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(out_indices, frozen_stages, norm_eval,
                         zero_init_residual, init_cfg, stage_with_attention)
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        in_channels = self.build_stem(1., **common)
        stage_settings = self.stage_settings(strides, dilations)
        for i, ((expand_ratio, kernel_size, out_channels, num_blocks),
                stride, dilation) in enumerate(stage_settings):
            blocks = []
            for j in range(num_blocks):
                blocks.append(
                    InvertedResidual(
                        in_channels, out_channels,
                        stride=stride if j == 0 else 1,
                        expand_ratio=expand_ratio,
                        dilation=dilation,
                        kernel_size=kernel_size,
                        attention=self.stage_attention(i, attention),
                        with_cp=with_cp, **common))
                in_channels = out_channels
            self.add_stage(f'layer{i + 1}', nn.Sequential(*blocks))
        if self.num_built_stages > len(self.arch_settings):
            self.add_stage(
                'conv2',
                ConvModule(in_channels, self.last_channels, 1, **common))
            in_channels = self.last_channels
        self.out_channels = in_channels
