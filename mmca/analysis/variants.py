"""The variants ``compare_attention.py --variants`` trains: the paper's four
attentions, the ablations of CA's options and other backbones, each what
it sets in the demo config's ``model``.

The ablations are the release README's open questions (one direction
against both, a softmax between the directions, the activation) and the
reduction ratio users tune per task (``ca-r32`` is the paper's ratio, so
``ca``'s model, spelt out for the sweep); ``ca-last3`` puts CA in the last
three block stages only, where the authors say it helps most.

The backbone variants swap MobileNetV2 for MobileNetV3-Large, -Small or
EfficientNet-B0 with their own SE (the standard networks) or CA in its
place: the backbone's last stage feeds the demo's head (global pooling and
a linear layer, without MobileNetV3's 1280-wide hidden layer).

A variant's attention replaces the demo's whole (``_delete_``), so no
option of the demo's attention leaks into another kind. Each variant is
written as a config of its own that inherits the demo's
(:func:`write_variant_config`): tools/train.py runs it as it is, and a
reader can too.
"""
import copy
import os.path as osp
import pprint
from typing import Dict, List, Optional

from mmca.models.backbones import EFFICIENTNET_SE, MOBILENETV3_SE
from mmca.utils import InputError


def _backbone(backbone_type: str, last_stage: int, width: int,
              attention: dict) -> dict:
    """Another backbone with ``attention``; its stage ``last_stage``,
    ``width`` channels wide, feeds the head."""
    return dict(
        backbone=dict(type=backbone_type, out_indices=(last_stage, ),
                      attention=attention),
        head=dict(in_channels=width))


def _attention(**attention) -> dict:
    return dict(backbone=dict(attention=attention))


CA = dict(type='CoordAttention')

#: Variant name -> what it sets in the config's ``model``.
VARIANTS: Dict[str, dict] = {
    'none': dict(backbone=dict(attention=None)),
    'se': _attention(type='SqueezeExcitation'),
    'cbam': _attention(type='CBAM'),
    'ca': _attention(**CA),
    'ca-h': _attention(**CA, directions=('h', )),
    'ca-w': _attention(**CA, directions=('w', )),
    'ca-softmax': _attention(**CA, combine='softmax'),
    'ca-relu6': _attention(**CA, act_cfg=dict(type='ReLU6')),
    'ca-silu': _attention(**CA, act_cfg=dict(type='SiLU')),
    'ca-r8': _attention(**CA, reduction=8),
    'ca-r16': _attention(**CA, reduction=16),
    'ca-r32': _attention(**CA, reduction=32),
    'ca-last3': dict(backbone=dict(
        attention=CA, stage_with_attention=(False, ) * 4 + (True, ) * 3)),
    'mbv3-large-se': _backbone('MobileNetV3LargeCA', 6, 960, MOBILENETV3_SE),
    'mbv3-large-ca': _backbone('MobileNetV3LargeCA', 6, 960, CA),
    'mbv3-small-se': _backbone('MobileNetV3SmallCA', 5, 576, MOBILENETV3_SE),
    'mbv3-small-ca': _backbone('MobileNetV3SmallCA', 5, 576, CA),
    'effb0-se': _backbone('EfficientNetB0CA', 7, 1280, EFFICIENTNET_SE),
    'effb0-ca': _backbone('EfficientNetB0CA', 7, 1280, CA),
}
#: The paper's comparison, the default.
ATTENTION_VARIANTS = ('none', 'se', 'cbam', 'ca')


def check_variants(names: List[str]) -> None:
    """Raise :class:`InputError` naming the known variants if one of
    ``names`` is not among them."""
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        raise InputError(
            f'unknown variant {", ".join(unknown)}: the variants are '
            f'{", ".join(VARIANTS)}')


def variant_model(name: str) -> dict:
    """What the variant sets in ``model``, its attention marked to replace
    the config's whole (``_delete_=True``)."""
    model = copy.deepcopy(VARIANTS[name])
    attention: Optional[dict] = model['backbone']['attention']
    if attention is not None:
        model['backbone']['attention'] = dict(_delete_=True, **attention)
    return model


def variant_overrides(name: str) -> Dict[str, dict]:
    """The variant as options of ``Config.merge_from_dict`` (and
    :func:`mmca.cli.load_config`)."""
    return dict(model=variant_model(name))


def write_variant_config(name: str, config: str, path: str) -> str:
    """Write the variant as a config at ``path`` that inherits ``config``
    (by its absolute path) and sets the variant's ``model`` keys; return
    ``path``."""
    text = (f"# compare_attention.py's variant {name!r} of {config} "
            '(mmca/analysis/variants.py)\n'
            f'_base_ = {osp.abspath(config)!r}\n'
            f'model = {pprint.pformat(variant_model(name), sort_dicts=False)}'
            '\n')
    with open(path, 'w') as f:
        f.write(text)
    return path
