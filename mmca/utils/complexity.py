"""Model size and MAdds in the paper's terms, through mmengine's analysis."""
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer
from mmengine.registry import MODELS

#: The paper's ImageNet models: (backbone, attention) -> (params in M,
#: MAdds in M, top-1), from its Tables 2 and 3.
PAPER_IMAGENET = {
    ('MobileNetV2CA', None): (3.5, 300, 72.3),
    ('MobileNetV2CA', 'SqueezeExcitation'): (3.89, 300, 73.5),
    ('MobileNetV2CA', 'CBAM'): (3.89, 300, 73.6),
    ('MobileNetV2CA', 'CoordAttention'): (3.95, 310, 74.3),
    ('MobileNeXtCA', None): (3.5, 300, 74.0),
    ('MobileNeXtCA', 'SqueezeExcitation'): (3.89, 300, 74.7),
    ('MobileNeXtCA', 'CoordAttention'): (4.09, 330, 75.2),
}


class ClassificationForm(nn.Module):
    """A backbone as the paper counts it on ImageNet.

    The last backbone output (N, C, H, W) is averaged to (N, C) and mapped
    by a linear layer to (N, ``num_classes``).

    Args:
        backbone (nn.Module): A backbone whose last output is the feature
            map to classify and whose ``out_channels`` is its width.
        num_classes (int): Number of classes. Defaults to 1000.
    """

    def __init__(self, backbone: nn.Module, num_classes: int = 1000) -> None:
        super().__init__()
        self.backbone = backbone
        self.fc = nn.Linear(backbone.out_channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.backbone(x)[-1].mean(dim=(2, 3)))


def imagenet_model(backbone: str,
                   attention: Optional[str] = 'CoordAttention') -> nn.Module:
    """A registered backbone in its ImageNet form, all its stages built."""
    backbone_cls = MODELS.get(backbone)
    if backbone_cls is None or not hasattr(backbone_cls, 'num_stages'):
        raise KeyError(f'{backbone!r} is not an mmca backbone; choose one of '
                       'MobileNetV2CA, MobileNeXtCA')
    return ClassificationForm(
        backbone_cls(
            out_indices=(backbone_cls.num_stages - 1, ),
            attention=dict(type=attention) if attention else None))


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def complexity(model: nn.Module,
               input_shape: Tuple[int, ...] = (3, 224, 224)) -> Dict:
    """Params and multiply-adds of ``model`` on one input of that shape.

    mmengine's flop counter counts one per multiply-add of convs and linear
    layers and leaves out element-wise ops (norms, activations, the gating
    products of attention), so it puts MobileNetV2 at 314M where the paper
    rounds to 300M.
    """
    was_training = model.training
    model.eval()
    with torch.no_grad():
        analyzer = FlopAnalyzer(model, torch.ones(1, *input_shape))
        madds = analyzer.unsupported_ops_warnings(
            False).uncalled_modules_warnings(False).total()
    model.train(was_training)
    return dict(params=count_params(model), madds=madds)
