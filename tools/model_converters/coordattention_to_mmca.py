"""Convert the released MobileNetV2-CA checkpoint (``mbv2_ca.pth``) to mmca.

The release (houqb/CoordAttention, ``mbv2_ca.py``) names its layers
``features.0.{0,1}`` (stem), ``features.N.conv.M`` (block N), with the CA at
``conv.6`` (``conv1``, ``bn1``, ``conv2`` for H, ``conv3`` for W),
``conv.{0,1}`` (final 1x1 to 1280) and ``classifier.1`` (the linear layer
after a dropout).

The result is a checkpoint of ``configs/mbv2_ca_imagenet.py`` (mmpretrain's
``ImageClassifier``: ``backbone.*`` and ``head.fc.*``), as one that
``tools/train.py`` writes for that config:

- ``tools/test.py configs/mbv2_ca_imagenet.py DST`` evaluates it on ImageNet;
- every detection and segmentation config loads its backbone through
  ``init_cfg=dict(type='Pretrained', checkpoint=DST, prefix='backbone.')``.

Usage: python tools/model_converters/coordattention_to_mmca.py SRC DST
"""
import argparse
from collections import OrderedDict
from typing import Dict, List

import torch

from mmca.cli import run_tool
from mmca.models import MobileNetV2CA
from mmca.utils import InputError, compare_state_dicts, load_weights

NUM_CLASSES, FEATURES = 1000, 1280

# Position of each layer inside the release's ``conv`` Sequential.
EXPANDING_BLOCK = {
    '0': 'expand_conv.conv', '1': 'expand_conv.bn',
    '3': 'depthwise_conv.conv', '4': 'depthwise_conv.bn',
    '6.conv1': 'attention.conv1', '6.bn1': 'attention.bn1',
    '6.conv2': 'attention.conv_h', '6.conv3': 'attention.conv_w',
    '7': 'linear_conv.conv', '8': 'linear_conv.bn',
}
FIRST_BLOCK = {
    '0': 'depthwise_conv.conv', '1': 'depthwise_conv.bn',
    '3': 'linear_conv.conv', '4': 'linear_conv.bn',
}


def block_names() -> List[str]:
    """``layer{stage}.{block}`` of each release ``features.N``, N >= 1."""
    return [
        f'layer{stage + 1}.{block}'
        for stage, (_, _, num_blocks) in enumerate(
            MobileNetV2CA.arch_settings) for block in range(num_blocks)
    ]


def convert(src: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """Rename release keys to the keys of the mmpretrain classifier."""
    blocks = block_names()
    dst = OrderedDict()
    for key, value in src.items():
        parts = key.split('.')
        if parts[:2] == ['classifier', '1']:
            dst[f'head.fc.{parts[-1]}'] = value
        elif parts[0] == 'features' and parts[1] == '0':
            name = {'0': 'conv1.conv', '1': 'conv1.bn'}[parts[2]]
            dst[f'backbone.{name}.{parts[-1]}'] = value
        elif parts[0] == 'features':
            block = int(parts[1])
            table = FIRST_BLOCK if block == 1 else EXPANDING_BLOCK
            layer = '.'.join(parts[3:-1])
            if block > len(blocks) or layer not in table:
                raise KeyError(f'unexpected key {key} in the source '
                               'checkpoint')
            dst[f'backbone.{blocks[block - 1]}.{table[layer]}.'
                f'{parts[-1]}'] = value
        elif parts[0] == 'conv':
            name = {'0': 'conv2.conv', '1': 'conv2.bn'}[parts[1]]
            dst[f'backbone.{name}.{parts[-1]}'] = value
        else:
            raise KeyError(f'unexpected key {key} in the source checkpoint')
    return dst


def expected_state_dict() -> Dict[str, torch.Tensor]:
    """The weights of ``configs/mbv2_ca_imagenet.py``'s classifier."""
    backbone = MobileNetV2CA(out_indices=(7, )).state_dict()
    expected = {f'backbone.{k}': v for k, v in backbone.items()}
    expected['head.fc.weight'] = torch.empty(NUM_CLASSES, FEATURES)
    expected['head.fc.bias'] = torch.empty(NUM_CLASSES)
    return expected


def check_layout(state_dict: Dict[str, torch.Tensor]) -> None:
    """Raise a ``KeyError`` naming missing and unexpected keys, if any."""
    mismatch = compare_state_dicts(state_dict, expected_state_dict())
    if mismatch:
        raise KeyError(
            'the source is not a released MobileNetV2-CA (width 1.0) '
            f'checkpoint: {mismatch.describe(most=8)}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='released mbv2_ca.pth')
    parser.add_argument('dst', help='where to write the mmca checkpoint')
    args = parser.parse_args()

    try:
        state_dict = load_weights(args.src)
    except FileNotFoundError as err:
        raise InputError(f'{err}; give the released mbv2_ca.pth') from None
    try:
        converted = convert(state_dict)
        check_layout(converted)
    except KeyError as err:
        raise InputError(f'{args.src}: {err.args[0]}') from None
    torch.save(dict(state_dict=converted,
                    meta=dict(source=args.src, converter=__file__)), args.dst)
    print(f'wrote {len(converted)} tensors to {args.dst} (backbone.* and '
          'head.fc.*, a checkpoint of configs/mbv2_ca_imagenet.py)')


if __name__ == '__main__':
    run_tool(main)
