"""The variants ``compare_attention.py --variants`` trains: the paper's four
attentions and the ablations of CA's options, each a set of overrides of
the demo config's ``model.backbone``.

The ablations are the release README's open questions (one direction
against both, a softmax between the directions, the activation) and the
reduction ratio users tune per task; ``ca-last3`` puts CA in the last
three block stages only, where the authors say it helps most.
"""
from typing import Dict, List

from mmca.utils import InputError

CA = {'attention.type': 'CoordAttention'}

#: Variant name -> ``model.backbone`` keys (dotted) and their values.
VARIANTS: Dict[str, Dict[str, object]] = {
    'none': {'attention': None},
    'se': {'attention.type': 'SqueezeExcitation'},
    'cbam': {'attention.type': 'CBAM'},
    'ca': CA,
    'ca-h': {**CA, 'attention.directions': ('h', )},
    'ca-w': {**CA, 'attention.directions': ('w', )},
    'ca-softmax': {**CA, 'attention.combine': 'softmax'},
    'ca-relu6': {**CA, 'attention.act_cfg.type': 'ReLU6'},
    'ca-silu': {**CA, 'attention.act_cfg.type': 'SiLU'},
    'ca-r8': {**CA, 'attention.reduction': 8},
    'ca-r16': {**CA, 'attention.reduction': 16},
    'ca-last3': {**CA, 'stage_with_attention': (False, ) * 4 + (True, ) * 3},
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


def variant_overrides(name: str) -> Dict[str, object]:
    """The variant's overrides as config keys (``model.backbone.<key>``),
    for ``Config.merge_from_dict``."""
    return {f'model.backbone.{key}': value
            for key, value in VARIANTS[name].items()}


def variant_cfg_options(name: str) -> List[str]:
    """The variant's overrides as ``--cfg-options`` entries of
    tools/train.py (``key=value``, as mmengine's ``DictAction`` reads
    them)."""
    return [f'{key}={_cli_value(value)}'
            for key, value in variant_overrides(name).items()]


def _cli_value(value: object) -> str:
    if isinstance(value, tuple):
        return '(' + ','.join(_cli_value(item) for item in value) + ',)'
    return str(value)
