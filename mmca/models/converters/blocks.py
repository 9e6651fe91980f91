"""What both converters need of the target: its blocks in order, and the
weights it expects."""
from typing import Dict, List, Mapping, Optional

import torch
from mmengine.registry import MODELS

from mmca.models.layers import InvertedResidual
from mmca.utils import StateDictMismatch, compare_state_dicts

#: The backbones that are timm's and mmpretrain's networks with their own
#: SE (``attention=<backbone>.own_attention``), whose weights convert.
SE_NETWORKS = ('MobileNetV3LargeCA', 'MobileNetV3SmallCA', 'EfficientNetB0CA')


def _full_backbone(backbone: str, attention: Optional[dict]):
    if backbone not in SE_NETWORKS:
        raise KeyError(f'{backbone!r} has no converter; choose one of '
                       f'{", ".join(SE_NETWORKS)}')
    cls = MODELS.get(backbone)
    return cls(out_indices=(cls.num_stages - 1, ), attention=attention)


def backbone_block_names(backbone: str) -> List[str]:
    """``layer{stage}.{block}`` of each inverted residual block of the
    registered ``backbone``, in forward order."""
    return [name for name, module in _full_backbone(
        backbone, None).named_modules()
            if isinstance(module, InvertedResidual)]


def expected_weights(backbone: str,
                     num_classes: Optional[int] = 1000
                     ) -> Dict[str, torch.Tensor]:
    """The weights of ``backbone`` with its own SE (``backbone.*``), and
    with ``num_classes`` those of the timm classifier around it
    (``head.*``: :class:`~mmca.models.timm_models.MobileNetCAClassifier`).
    """
    cls = MODELS.get(backbone)
    model = _full_backbone(backbone, cls.own_attention)
    weights = {f'backbone.{k}': v for k, v in model.state_dict().items()}
    if num_classes is not None:
        width = model.out_channels
        hidden = getattr(cls, 'head_hidden_size', None)
        if hidden is not None:
            weights['head.conv_head.weight'] = torch.empty(
                hidden, width, 1, 1)
            weights['head.conv_head.bias'] = torch.empty(hidden)
            width = hidden
        weights['head.fc.weight'] = torch.empty(num_classes, width)
        weights['head.fc.bias'] = torch.empty(num_classes)
    return weights


def layout_mismatch(weights: Mapping[str, torch.Tensor],
                    backbone: str) -> StateDictMismatch:
    """How converted ``weights`` differ from what ``backbone`` with its own
    SE expects: the classifier's weights if they have a ``head.fc``, else
    the backbone's (under ``backbone.``)."""
    fc = weights.get('head.fc.weight')
    expected = expected_weights(
        backbone, None if fc is None else fc.shape[0])
    return compare_state_dicts(weights, expected)
