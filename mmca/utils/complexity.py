"""Model size and MAdds in the paper's terms, through mmengine's analysis."""
from typing import Dict, Tuple, Union

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

#: The networks that come with an SE of their own (``own_attention``), each
#: counted without attention, with that SE (the standard network) and with
#: CA in its places.
SE_NETWORKS = ('MobileNetV3LargeCA', 'MobileNetV3SmallCA', 'EfficientNetB0CA')
OWN_SE = 'own SE'


class ClassificationForm(nn.Module):
    """A backbone as the paper counts it on ImageNet.

    The last backbone output (N, C, H, W) is averaged to (N, C) and mapped
    by a linear layer to (N, ``num_classes``); for MobileNetV3 (a backbone
    with ``head_hidden_size``) through its hidden layer first, the 1x1 conv
    with bias and h-swish after pooling.

    Args:
        backbone (nn.Module): A backbone whose last output is the feature
            map to classify and whose ``out_channels`` is its width.
        num_classes (int): Number of classes. Defaults to 1000.
    """

    def __init__(self, backbone: nn.Module, num_classes: int = 1000) -> None:
        super().__init__()
        self.backbone = backbone
        width = backbone.out_channels
        hidden = getattr(backbone, 'head_hidden_size', None)
        self.hidden = nn.Identity() if hidden is None else nn.Sequential(
            nn.Linear(width, hidden), nn.Hardswish())
        self.fc = nn.Linear(hidden or width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = self.backbone(x)[-1].mean(dim=(2, 3))
        return self.fc(self.hidden(pooled))


def imagenet_model(
        backbone: str,
        attention: Union[str, dict, None] = 'CoordAttention') -> nn.Module:
    """A registered backbone in its ImageNet form, all its stages built.

    ``attention`` is a type name, a config, None for none, or
    :data:`OWN_SE` for the network's own SE (the standard MobileNetV3 or
    EfficientNet).
    """
    backbone_cls = MODELS.get(backbone)
    if backbone_cls is None or not hasattr(backbone_cls, 'num_stages'):
        raise KeyError(f'{backbone!r} is not an mmca backbone; choose one of '
                       'MobileNetV2CA, MobileNeXtCA, '
                       f'{", ".join(SE_NETWORKS)}')
    if attention == OWN_SE:
        if not hasattr(backbone_cls, 'own_attention'):
            raise KeyError(f'{backbone} has no SE of its own; choose one of '
                           f'{", ".join(SE_NETWORKS)}')
        attention = backbone_cls.own_attention
    elif isinstance(attention, str):
        attention = dict(type=attention)
    return ClassificationForm(
        backbone_cls(out_indices=(backbone_cls.num_stages - 1, ),
                     attention=attention))


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


class WithImageShape(nn.Module):
    """An mmdet detector's ``mode='tensor'`` forward on (1, C, H, W) inputs,
    with the data sample that carries the image's shape: a two-stage
    detector's RPN turns its proposals into boxes inside that shape. The
    sample is held here because the flop counter traces tensors only."""

    def __init__(self, detector: nn.Module, shape: Tuple[int, int]) -> None:
        super().__init__()
        from mmdet.structures import DetDataSample
        self.detector = detector
        self.samples = [DetDataSample(metainfo=dict(
            img_shape=shape, ori_shape=shape, pad_shape=shape,
            batch_input_shape=shape, scale_factor=(1.0, 1.0)))]

    def forward(self, inputs: torch.Tensor):
        return self.detector(inputs, self.samples, mode='tensor')


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
        counted = model
        if type(model).__module__.startswith('mmdet.'):
            counted = WithImageShape(model, tuple(input_shape[1:]))
        analyzer = FlopAnalyzer(counted, torch.ones(1, *input_shape))
        madds = analyzer.unsupported_ops_warnings(
            False).uncalled_modules_warnings(False).total()
    model.train(was_training)
    return dict(params=count_params(model), madds=madds)
