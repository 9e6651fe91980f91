"""mmpretrain's linear classifier with dropout before it, as in the release."""
from typing import Tuple

import torch
import torch.nn as nn
from mmengine.registry import MODELS
from mmpretrain.models.heads import LinearClsHead


@MODELS.register_module()
class DropoutLinearClsHead(LinearClsHead):
    """:class:`mmpretrain.models.heads.LinearClsHead` after a dropout.

    The released MobileNetV2-CA classifies its pooled (N, 1280) features
    with ``Sequential(Dropout(0.1), Linear(1280, 1000))``; this head is that
    classifier, and keeps mmpretrain's ``fc`` name, so a converted release
    checkpoint and one this head trains share their keys (``head.fc.*``).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Width of the pooled features.
        drop_rate (float): Dropout probability before ``fc``. Defaults to 0.1.
        **kwargs: Everything else :class:`LinearClsHead` takes (``loss``,
            ``topk``, ``cal_acc``, ``init_cfg``).
    """

    def __init__(self, num_classes: int, in_channels: int,
                 drop_rate: float = 0.1, **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        self.dropout = nn.Dropout(drop_rate)

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        return self.dropout(feats[-1])
