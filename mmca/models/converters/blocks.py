"""What both converters need of the target: its blocks in order, and the
weights it expects."""
from typing import Dict, List, Mapping, Optional

import torch
from mmengine.registry import MODELS

from mmca.models.backbones import EFFICIENTNET_SE, MOBILENETV3_SE
from mmca.models.layers import InvertedResidual
from mmca.utils import StateDictMismatch, compare_state_dicts

#: Backbones whose own SE networks the converters read, with that SE and
#: the width of MobileNetV3's conv after pooling (None: no such conv).
SE_NETWORKS = {
    'MobileNetV3LargeCA': (MOBILENETV3_SE, 1280),
    'MobileNetV3SmallCA': (MOBILENETV3_SE, 1024),
    'EfficientNetB0CA': (EFFICIENTNET_SE, None),
}


def _backbone_cls(backbone: str) -> type:
    if backbone not in SE_NETWORKS:
        raise KeyError(f'{backbone!r} has no converter; choose one of '
                       f'{", ".join(SE_NETWORKS)}')
    return MODELS.get(backbone)


def backbone_block_names(backbone: str) -> List[str]:
    """``layer{stage}.{block}`` of each inverted residual block of the
    registered ``backbone``, in forward order."""
    cls = _backbone_cls(backbone)
    model = cls(out_indices=(cls.num_stages - 1, ), attention=None)
    return [name for name, module in model.named_modules()
            if isinstance(module, InvertedResidual)]


def se_attention(backbone: str) -> dict:
    """The network's own SE, the ``attention`` that makes ``backbone`` it."""
    _backbone_cls(backbone)
    return SE_NETWORKS[backbone][0]


def head_hidden_size(backbone: str) -> Optional[int]:
    _backbone_cls(backbone)
    return SE_NETWORKS[backbone][1]


def expected_weights(backbone: str,
                     num_classes: Optional[int] = 1000
                     ) -> Dict[str, torch.Tensor]:
    """The weights of ``backbone`` with its own SE (``backbone.*``), and
    with ``num_classes`` those of the timm classifier around it
    (``head.*``: :class:`~mmca.models.timm_models.MobileNetCAClassifier`).
    """
    cls = _backbone_cls(backbone)
    model = cls(out_indices=(cls.num_stages - 1, ),
                attention=se_attention(backbone))
    weights = {f'backbone.{k}': v for k, v in model.state_dict().items()}
    if num_classes is not None:
        width = model.out_channels
        hidden = head_hidden_size(backbone)
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
