"""timm's ``mobilenetv3_large_100``, ``mobilenetv3_small_100`` and
``efficientnet_b0`` weights, renamed for the mmca classifier around
``MobileNetV3LargeCA``, ``MobileNetV3SmallCA`` or ``EfficientNetB0CA``.

timm names the stem ``conv_stem``/``bn1`` and block ``j`` of stage ``i``
``blocks.i.j``; its stages are ours, so ``blocks.i.j`` is ``layer{i+1}.j``.
Inside a block (``InvertedResidual``) ``conv_pw``/``bn1`` is our
``expand_conv``, ``conv_dw``/``bn2`` the ``depthwise_conv``,
``se.conv_reduce``/``se.conv_expand`` the attention's ``conv1``/``conv2``
and ``conv_pwl``/``bn3`` the ``linear_conv``. A first block without
expansion (``DepthwiseSeparableConv``) has ``conv_dw``/``bn1`` and
``conv_pw``/``bn2`` instead. The final 1x1 conv (our ``conv2``) is the last
stage's ``ConvBnAct`` (``conv``/``bn1``) in MobileNetV3 and
``conv_head``/``bn2`` in EfficientNet; MobileNetV3's ``conv_head`` after
pooling is the head's, and ``classifier`` is ``head.fc``.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Mapping

import torch

from .blocks import backbone_block_names

BLOCK_KEY = re.compile(r'^blocks\.(\d+)\.(\d+)\.(.+)\.([a-z_]+)$')
TOP_LEVEL = {
    'conv_stem': 'backbone.conv1.conv',
    'bn1': 'backbone.conv1.bn',
    'classifier': 'head.fc',
}
INVERTED_RESIDUAL = {
    'conv_pw': 'expand_conv.conv', 'bn1': 'expand_conv.bn',
    'conv_dw': 'depthwise_conv.conv', 'bn2': 'depthwise_conv.bn',
    'se.conv_reduce': 'attention.conv1', 'se.conv_expand': 'attention.conv2',
    'conv_pwl': 'linear_conv.conv', 'bn3': 'linear_conv.bn',
}
DEPTHWISE_SEPARABLE = {
    'conv_dw': 'depthwise_conv.conv', 'bn1': 'depthwise_conv.bn',
    'se.conv_reduce': 'attention.conv1', 'se.conv_expand': 'attention.conv2',
    'conv_pw': 'linear_conv.conv', 'bn2': 'linear_conv.bn',
}
CONV_BN_ACT = {'conv': 'conv2.conv', 'bn1': 'conv2.bn'}


def timm_to_mmca(weights: Mapping[str, torch.Tensor],
                 backbone: str) -> 'OrderedDict[str, torch.Tensor]':
    """Rename the weights of timm's MobileNetV3 or EfficientNet to those of
    the mmca classifier (``backbone.*``, ``head.*``) around ``backbone``.

    Args:
        weights: A timm model's ``state_dict()``.
        backbone: ``'MobileNetV3LargeCA'``, ``'MobileNetV3SmallCA'`` or
            ``'EfficientNetB0CA'``.

    Raises:
        KeyError: A key of another layout, or another number of blocks.
    """
    blocks: Dict[tuple, List[tuple]] = {}
    converted = OrderedDict()
    # EfficientNet's conv_head is before pooling (with bn2), MobileNetV3's
    # after it (with a bias and no norm).
    head_in_backbone = 'bn2.weight' in weights
    for key, value in weights.items():
        match = BLOCK_KEY.match(key)
        if match:
            stage, block, layer, param = match.groups()
            blocks.setdefault((int(stage), int(block)), []).append(
                (layer, param, value))
            continue
        layer, _, param = key.rpartition('.')
        if layer in TOP_LEVEL:
            converted[f'{TOP_LEVEL[layer]}.{param}'] = value
        elif layer in ('conv_head', 'bn2') and head_in_backbone:
            name = 'conv' if layer == 'conv_head' else 'bn'
            converted[f'backbone.conv2.{name}.{param}'] = value
        elif layer == 'conv_head':
            converted[f'head.conv_head.{param}'] = value
        else:
            raise KeyError(f'unexpected key {key} for timm\'s {backbone}')
    names = iter(backbone_block_names(backbone))
    for index in sorted(blocks):
        layers = {layer for layer, _, _ in blocks[index]}
        if 'conv' in layers:
            table, prefix = CONV_BN_ACT, 'backbone'
        else:
            table = (INVERTED_RESIDUAL if 'conv_pwl' in layers else
                     DEPTHWISE_SEPARABLE)
            name = next(names, None)
            if name is None:
                raise KeyError(f'timm\'s weights have more blocks than '
                               f'{backbone} (blocks.{index[0]}.{index[1]})')
            prefix = f'backbone.{name}'
        for layer, param, value in blocks[index]:
            if layer not in table:
                raise KeyError(f'unexpected key blocks.{index[0]}.'
                               f'{index[1]}.{layer}.{param}')
            converted[f'{prefix}.{table[layer]}.{param}'] = value
    if next(names, None) is not None:
        raise KeyError(f'timm\'s weights have fewer blocks than {backbone}')
    return converted
