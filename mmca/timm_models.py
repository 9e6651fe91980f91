"""The mmca backbones as timm models, for ``timm.create_model``.

The CA paper's authors trained on ImageNet with timm. Importing this module
(``import mmca`` does, where timm imports) registers six timm models:

==========================  ============  ==================
timm name                   backbone      attention
==========================  ============  ==================
``mobilenetv2_ca_100``      MobileNetV2   CoordAttention
``mobilenetv2_se_100``      MobileNetV2   SqueezeExcitation
``mobilenetv2_cbam_100``    MobileNetV2   CBAM
``mobilenext_100``          MobileNeXt    none
``mobilenext_ca_100``       MobileNeXt    CoordAttention
``mobilenext_se_100``       MobileNeXt    SqueezeExcitation
==========================  ============  ==================

Plain MobileNetV2 is timm's own ``mobilenetv2_100``. Each model's weights
are named as in mmpretrain's classifier of ``configs/<mbv2|mnext>[_se|_cbam|
_ca]_imagenet.py`` (``backbone.*``, ``head.fc.*``), so one checkpoint serves
both; a runner checkpoint of those configs loads with::

    timm.create_model('mobilenetv2_ca_100', pretrained=True,
                      pretrained_cfg_overlay=dict(file='epoch_200.pth'))
"""
import logging
from typing import Any, Dict, Optional

import torch
import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from timm.data import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD
from timm.layers import ClassifierHead
from timm.models import (build_model_with_cfg, generate_default_cfgs,
                         register_model)

from mmca.utils import compare_state_dicts, load_weights
from mmca.utils.typing import OptConfigType

__all__ = ['MobileNetCAClassifier']

_logger = logging.getLogger(__name__)

#: The classifier layer, as timm's pretrained cfg and mmpretrain name it.
CLASSIFIER = 'head.fc'

#: The backbone stage that ends both networks (1280 channels at width 1.0).
LAST_STAGE = 7


class MobileNetCAClassifier(nn.Module):
    """An mmca backbone, global pooling, dropout and a linear classifier.

    timm's model interface around :class:`MobileNetV2CA` or
    :class:`MobileNeXtCA`: ``backbone`` returns the last stage's (N, 1280,
    H/32, W/32) map, and ``head`` is timm's :class:`ClassifierHead` (pool,
    dropout, ``fc``), the release's ``Dropout(0.1)`` + ``Linear`` classifier.

    Args:
        backbone (str): Registered name of the backbone, ``'MobileNetV2CA'``
            or ``'MobileNeXtCA'``. Defaults to ``'MobileNetV2CA'``.
        attention (dict, optional): The backbone's ``attention``; None for
            none. Defaults to ``dict(type='CoordAttention')``.
        widen_factor (float): The backbone's width multiplier. Defaults to 1.
        num_classes (int): Number of classes; 0 for no classifier (the
            forward pass then returns pooled features). Defaults to 1000.
        in_chans (int): Input channels; the stem takes RGB only, so 3.
        global_pool (str): timm pooling type (``'avg'``, ``'max'``,
            ``'avgmax'``, ``'catavgmax'``, or ``''`` for none). Defaults to
            ``'avg'``.
        drop_rate (float): Dropout before the classifier. Defaults to 0.1.
        **backbone_kwargs: Anything else the backbone takes, e.g.
            ``norm_cfg``, ``act_cfg`` or ``with_cp``.
    """

    def __init__(self,
                 backbone: str = 'MobileNetV2CA',
                 attention: OptConfigType = dict(type='CoordAttention'),
                 widen_factor: float = 1.,
                 num_classes: int = 1000,
                 in_chans: int = 3,
                 global_pool: str = 'avg',
                 drop_rate: float = 0.1,
                 **backbone_kwargs: Any) -> None:
        super().__init__()
        if in_chans != 3:
            raise ValueError(
                f'{backbone} has an RGB stem and takes in_chans=3, not '
                f'in_chans={in_chans}; convert the images to 3 channels.')
        self.num_classes = num_classes
        self.in_chans = in_chans
        self.drop_rate = drop_rate
        self.backbone = MODELS.build(
            dict(type=backbone, out_indices=(LAST_STAGE, ),
                 attention=attention, widen_factor=widen_factor,
                 **backbone_kwargs))
        _init_quietly(self.backbone)
        self.num_features = self.backbone.out_channels
        self.head = ClassifierHead(
            self.num_features, num_classes, pool_type=global_pool,
            drop_rate=drop_rate)
        self.head_hidden_size = self.head.num_features

    @torch.jit.ignore
    def set_grad_checkpointing(self, enable: bool = True) -> None:
        """Recompute each block's activations in the backward pass."""
        for module in self.backbone.modules():
            if hasattr(module, 'with_cp'):
                module.with_cp = enable

    @torch.jit.ignore
    def get_classifier(self) -> nn.Module:
        return self.head.fc

    def reset_classifier(self, num_classes: int,
                         global_pool: Optional[str] = None) -> None:
        """A fresh classifier for ``num_classes`` (0: none), maybe repooled."""
        self.num_classes = num_classes
        self.head.reset(num_classes, global_pool)
        self.head_hidden_size = self.head.num_features

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) images to the (N, 1280, H/32, W/32) last stage."""
        return self.backbone(x)[0]

    def forward_head(self, x: torch.Tensor,
                     pre_logits: bool = False) -> torch.Tensor:
        return self.head(x, pre_logits=pre_logits)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))

    def load_pretrained(self, checkpoint_path: str) -> None:
        """Load a runner checkpoint of the mmpretrain config, or bare weights.

        timm calls this for a ``file`` in the pretrained cfg (the cfg has
        ``custom_load=True``): timm's own loader unpickles with
        ``weights_only=True`` alone and refuses the message hub a runner
        checkpoint holds, while :func:`load_weights` allows exactly
        those types. As in timm, a classifier for another number of classes
        is left out and this model's stays fresh; anything else must match.

        Raises:
            RuntimeError: The weights are of another architecture.
        """
        weights = load_weights(checkpoint_path)
        expected = self.state_dict()
        file_fc = weights.get(f'{CLASSIFIER}.weight')
        file_classes = None if file_fc is None else file_fc.shape[0]
        keep_head = file_classes in (None, self.num_classes)
        if not keep_head:
            _logger.info(
                f'Not loading {CLASSIFIER} of {checkpoint_path}: it has '
                f'{file_classes} classes and the model {self.num_classes}.')
            weights = _drop_prefix(weights, f'{CLASSIFIER}.')
            expected = _drop_prefix(expected, f'{CLASSIFIER}.')
        mismatch = compare_state_dicts(weights, expected)
        if mismatch:
            architecture = getattr(self, 'pretrained_cfg',
                                   {}).get('architecture', type(self).__name__)
            raise RuntimeError(
                f'{checkpoint_path} does not hold {architecture} weights '
                f'({mismatch.describe()}); create the model it was trained '
                'as (backbone, attention and width).')
        self.load_state_dict(weights, strict=keep_head)


def _init_quietly(module: BaseModule) -> None:
    """``module.init_weights()`` (its ``init_cfg``, as mmpretrain's runner
    applies it) without mmengine's report of how each parameter was
    initialized: outside a runner that is over a thousand console lines."""
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        module.init_weights()
    finally:
        logger.setLevel(level)


def _drop_prefix(weights: Dict[str, Any], prefix: str) -> Dict[str, Any]:
    return {key: value for key, value in weights.items()
            if not key.startswith(prefix)}


def _create(variant: str, pretrained: bool = False,
            **kwargs: Any) -> MobileNetCAClassifier:
    # timm 1.0.31 resets custom_load whenever an overlay names a weight
    # file, which would hand our runner checkpoints to its own loader; a
    # caller may still ask for that loader with custom_load=False.
    overlay = dict(kwargs.pop('pretrained_cfg_overlay', None) or {})
    overlay.setdefault('custom_load', True)
    return build_model_with_cfg(
        MobileNetCAClassifier, variant, pretrained,
        pretrained_cfg_overlay=overlay, **kwargs)


def _cfg(**kwargs: Any) -> Dict[str, Any]:
    return dict(
        num_classes=1000, input_size=(3, 224, 224), pool_size=(7, 7),
        crop_pct=0.875, interpolation='bilinear', mean=IMAGENET_DEFAULT_MEAN,
        std=IMAGENET_DEFAULT_STD, first_conv='backbone.conv1.conv',
        classifier=CLASSIFIER, custom_load=True, **kwargs)


#: timm name -> (backbone, attention type or None). No weights are released
#: under these names: ``pretrained=True`` needs a file in the cfg overlay.
VARIANTS = {
    'mobilenetv2_ca_100': ('MobileNetV2CA', 'CoordAttention'),
    'mobilenetv2_se_100': ('MobileNetV2CA', 'SqueezeExcitation'),
    'mobilenetv2_cbam_100': ('MobileNetV2CA', 'CBAM'),
    'mobilenext_100': ('MobileNeXtCA', None),
    'mobilenext_ca_100': ('MobileNeXtCA', 'CoordAttention'),
    'mobilenext_se_100': ('MobileNeXtCA', 'SqueezeExcitation'),
}
default_cfgs = generate_default_cfgs({name: _cfg() for name in VARIANTS})


def _entrypoint(variant: str, backbone: str, attention: Optional[str]):
    """The function timm registers under ``variant``'s name."""

    def create(pretrained: bool = False,
               **kwargs: Any) -> MobileNetCAClassifier:
        return _create(variant, pretrained, backbone=backbone,
                       attention=dict(type=attention) if attention else None,
                       **kwargs)

    create.__name__ = create.__qualname__ = variant
    create.__doc__ = (f'{backbone[:-2]} 1.0 with '
                      f'{attention or "no attention"}.')
    return create


for _variant, (_backbone, _attention) in VARIANTS.items():
    globals()[_variant] = register_model(
        _entrypoint(_variant, _backbone, _attention))
