"""mmpretrain's ``MobileNetV3`` (arch ``'large'``, ``'small'``) and
``EfficientNet`` (arch ``'b0'``) weights, renamed for ``MobileNetV3LargeCA``,
``MobileNetV3SmallCA`` or ``EfficientNetB0CA``.

mmpretrain's MobileNetV3 puts every block in a stage of its own:
``layer0`` is the stem, ``layer1``..``layerN`` the blocks and
``layer{N+1}`` the final 1x1 conv. Its EfficientNet keeps the stem, groups
of blocks and the final conv in ``layers``, ``layers.0``,
``layers.g.j`` and ``layers.{last}`` (a group being one or more of our
stages). Either way the blocks come in forward order, so the n-th block is
our n-th block. Inside a block, ``expand_conv``, ``depthwise_conv`` and
``linear_conv`` keep their names and the SE's ``se.conv1.conv`` and
``se.conv2.conv`` are the attention's ``conv1`` and ``conv2``.

A whole mmpretrain classifier converts too: ``backbone.*`` as above,
``head.fc`` (EfficientNet's ``LinearClsHead``) as it is, and the
``StackedLinearClsHead`` of mmpretrain's MobileNetV3 configs
(``head.layers.0.fc``, 1x1 after pooling, and ``head.layers.1.fc``) as the
timm classifier's ``head.conv_head`` and ``head.fc``.
"""
import re
from collections import OrderedDict
from typing import Dict, Mapping, Tuple

import torch

from .blocks import backbone_block_names

# layer{k}.rest (MobileNetV3) or layers.{g}[.{j}].rest (EfficientNet)
UNIT_KEY = re.compile(r'^(layer(\d+)|layers\.(\d+)(?:\.(\d+))?)\.(.+)$')
BLOCK_LAYERS = {
    'se.conv1.conv': 'attention.conv1',
    'se.conv2.conv': 'attention.conv2',
}
STACKED_HEAD = {
    'head.layers.0.fc': 'head.conv_head',
    'head.layers.1.fc': 'head.fc',
}


def _unit(key: str) -> Tuple[Tuple[int, ...], str]:
    """The index of the stem, block or final conv ``key`` is in, and the
    rest of ``key``."""
    match = UNIT_KEY.match(key)
    if match is None:
        raise KeyError(f'unexpected key {key} in mmpretrain weights')
    _, layer, group, block, rest = match.groups()
    if layer is not None:
        return (int(layer), ), rest
    if block is not None:
        return (int(group), int(block)), rest
    return (int(group), ), rest


def mmpretrain_to_mmca(weights: Mapping[str, torch.Tensor],
                       backbone: str) -> 'OrderedDict[str, torch.Tensor]':
    """Rename mmpretrain's MobileNetV3 or EfficientNet weights for the mmca
    ``backbone``: a backbone's state dict to ours, a classifier's
    (``backbone.*``, ``head.*``) to the timm classifier's.

    Raises:
        KeyError: A key of another layout, or another number of blocks.
    """
    classifier = any(key.startswith('backbone.') for key in weights)
    prefix = 'backbone.' if classifier else ''
    converted = OrderedDict()
    units: Dict[Tuple[int, ...], list] = {}
    for key, value in weights.items():
        if classifier and not key.startswith(prefix):
            layer, _, param = key.rpartition('.')
            if layer == 'head.fc':
                converted[key] = value
            elif layer in STACKED_HEAD:
                if layer == 'head.layers.0.fc' and param == 'weight':
                    value = value[:, :, None, None]    # Linear as 1x1 conv
                converted[f'{STACKED_HEAD[layer]}.{param}'] = value
            else:
                raise KeyError(f'unexpected key {key} in mmpretrain weights')
            continue
        index, rest = _unit(key[len(prefix):])
        units.setdefault(index, []).append((rest, value))
    order = sorted(units)
    names = backbone_block_names(backbone)
    if len(order) != len(names) + 2:
        raise KeyError(f'mmpretrain\'s weights have {len(order) - 2} blocks '
                       f'and {backbone} {len(names)}')
    targets = ['conv1'] + names + ['conv2']
    for index, target in zip(order, targets):
        for rest, value in units[index]:
            layer, _, param = rest.rpartition('.')
            layer = BLOCK_LAYERS.get(layer, layer)
            converted[f'{prefix}{target}.{layer}.{param}'] = value
    return converted
