"""The mmca backbones as timm models, for ``timm.create_model``.

The CA paper's authors trained on ImageNet with timm. Importing this module
(``import mmca`` does, where timm imports) registers nine timm models:

============================  ==================  ==================
timm name                     backbone            attention
============================  ==================  ==================
``mobilenetv2_ca_100``        MobileNetV2         CoordAttention
``mobilenetv2_se_100``        MobileNetV2         SqueezeExcitation
``mobilenetv2_cbam_100``      MobileNetV2         CBAM
``mobilenext_100``            MobileNeXt          none
``mobilenext_ca_100``         MobileNeXt          CoordAttention
``mobilenext_se_100``         MobileNeXt          SqueezeExcitation
``mobilenetv3_large_ca_100``  MobileNetV3-Large   CoordAttention
``mobilenetv3_small_ca_100``  MobileNetV3-Small   CoordAttention
``efficientnet_b0_ca``        EfficientNet-B0     CoordAttention
============================  ==================  ==================

Plain MobileNetV2 is timm's own ``mobilenetv2_100``; MobileNetV3 and
EfficientNet-B0 with their own SE are timm's ``mobilenetv3_large_100``,
``mobilenetv3_small_100`` and ``efficientnet_b0``: the CA variants built
with ``attention=MOBILENETV3_SE`` (``EFFICIENTNET_SE``) are those networks,
and :mod:`mmca.models.converters` renames their weights. The models have
timm's whole interface: ``features_only=True`` (one map per backbone stage,
indexed as the backbone's ``out_indices``), ``forward_intermediates``,
``prune_intermediate_layers``, ``group_matcher`` and gradient checkpointing.

Each MobileNetV2 and MobileNeXt model's weights are named as in
mmpretrain's classifier of
``configs/<mbv2|mnext>[_se|_cbam|_ca]_imagenet.py`` (``backbone.*``,
``head.fc.*``), so one checkpoint serves both. A checkpoint of that config's
runner, or one that timm's ``train.py`` wrote, loads with::

    timm.create_model('mobilenetv2_ca_100', pretrained=True,
                      pretrained_cfg_overlay=dict(file='model_best.pth.tar'))
"""
import argparse
import logging
from typing import Any, Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from timm.data import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD
from timm.layers import ClassifierHead, SelectAdaptivePool2d
from timm.models import (build_model_with_cfg, clean_state_dict,
                         generate_default_cfgs, register_model)
from timm.models._features import feature_take_indices

from mmca.utils import compare_state_dicts, load_checkpoint_safely
from mmca.utils.typing_utils import OptConfigType

__all__ = ['MobileNetCAClassifier']

_logger = logging.getLogger(__name__)

#: The classifier layer, as timm's pretrained cfg and mmpretrain name it.
CLASSIFIER = 'head.fc'

#: The stages ``features_only`` returns unless given ``out_indices``: the
#: last at each output stride of the backbone's default ``strides``, one map
#: per stride as timm's own MobileNetV2 gives (timm's MobileNetV3-Small adds
#: its stride-2 stem, which is no stage here).
FEATURE_STAGES = {
    'MobileNetV2CA': (0, 1, 2, 4, 7),
    'MobileNeXtCA': (1, 2, 4, 7),
    'MobileNetV3LargeCA': (0, 1, 2, 4, 6),
    'MobileNetV3SmallCA': (0, 1, 3, 5),
    'EfficientNetB0CA': (0, 1, 2, 4, 7),
}

#: The globals timm's own loader allows besides torch's (``_torch_load`` in
#: ``timm/models/_helpers.py``): the ``args`` of the checkpoints its
#: ``train.py`` writes.
TIMM_CHECKPOINT_GLOBALS = [argparse.Namespace]

#: Where timm's ``load_state_dict`` finds the weights in a checkpoint, in
#: its order: the EMA weights first.
TIMM_WEIGHT_KEYS = ('state_dict_ema', 'model_ema', 'state_dict', 'model')

#: Side of the image that measures the stages' output strides (exact up to
#: this stride: every stride-2 conv maps n pixels to ceil(n / 2)).
PROBE_SIZE = 64


class ConvClassifierHead(nn.Module):
    """MobileNetV3's head: pooling, a 1x1 conv (``conv_head``, with bias and
    no norm) to ``hidden_size`` channels and h-swish, dropout, ``fc``; the
    interface of timm's :class:`ClassifierHead`.

    Args:
        in_features (int): Channels of the feature map.
        hidden_size (int): Width of ``conv_head`` (1280 for Large, 1024 for
            Small), that of the pre-logits features.
        num_classes (int): Number of classes; 0 for no ``fc``.
        pool_type (str): timm pooling type. Defaults to ``'avg'``.
        drop_rate (float): Dropout before ``fc``. Defaults to 0.
    """

    def __init__(self, in_features: int, hidden_size: int, num_classes: int,
                 pool_type: str = 'avg', drop_rate: float = 0.) -> None:
        super().__init__()
        self.in_features = in_features
        self.global_pool = SelectAdaptivePool2d(pool_type=pool_type)
        self.conv_head = nn.Conv2d(
            in_features * self.global_pool.feat_mult(), hidden_size, 1)
        self.act = nn.Hardswish()
        self.flatten = nn.Flatten(1) if pool_type else nn.Identity()
        self.drop = nn.Dropout(drop_rate)
        self.num_features = hidden_size
        self.fc = (nn.Linear(hidden_size, num_classes)
                   if num_classes > 0 else nn.Identity())

    def reset(self,
              num_classes: int,
              pool_type: Optional[str] = None,
              in_features: Optional[int] = None) -> None:
        """A fresh ``fc`` for ``num_classes``, maybe repooled. A new
        ``in_features`` (the stages feeding the head were pruned) drops
        ``conv_head``, which is sized for the last stage, as timm's
        MobileNetV3 does."""
        if in_features is not None:
            self.in_features = in_features
            self.conv_head, self.act = nn.Identity(), nn.Identity()
        if pool_type is not None:
            self.global_pool = SelectAdaptivePool2d(pool_type=pool_type)
            self.flatten = nn.Flatten(1) if pool_type else nn.Identity()
        if isinstance(self.conv_head, nn.Identity):
            self.num_features = (self.in_features
                                 * self.global_pool.feat_mult())
        elif (self.conv_head.in_channels
              != self.in_features * self.global_pool.feat_mult()):
            raise ValueError(f'conv_head takes {self.conv_head.in_channels} '
                             f'channels; pool_type={pool_type!r} gives '
                             'another width')
        self.fc = (nn.Linear(self.num_features, num_classes)
                   if num_classes > 0 else nn.Identity())

    def forward(self, x: torch.Tensor,
                pre_logits: bool = False) -> torch.Tensor:
        x = self.flatten(self.act(self.conv_head(self.global_pool(x))))
        return x if pre_logits else self.fc(self.drop(x))


class MobileNetCAClassifier(nn.Module):
    """An mmca backbone, global pooling, dropout and a linear classifier.

    timm's model interface around an mmca backbone (:class:`MobileNetV2CA`,
    :class:`MobileNeXtCA`, :class:`MobileNetV3LargeCA`,
    :class:`MobileNetV3SmallCA` or :class:`EfficientNetB0CA`): ``backbone``
    returns the last stage's (N, C, H/32, W/32) map, and ``head`` is timm's
    :class:`ClassifierHead` (pool, dropout, ``fc``), the release's
    ``Dropout(0.1)`` + ``Linear`` classifier, or for a backbone with a
    ``head_hidden_size`` (MobileNetV3) :class:`ConvClassifierHead`.

    ``feature_info`` has one entry per backbone stage ``i`` (module
    ``backbone.<stage name>``), with its channels and output stride as the
    backbone is built (``widen_factor``, ``strides`` and ``dilations``
    included); ``forward_intermediates(indices=...)`` and
    ``features_only=True, out_indices=...`` index stages as the backbone's
    ``out_indices`` does.

    Args:
        backbone (str): Registered name of the backbone, a key of
            ``FEATURE_STAGES``. Defaults to ``'MobileNetV2CA'``.
        attention (dict, optional): The backbone's ``attention``; None for
            none. Defaults to ``dict(type='CoordAttention')``.
        num_classes (int): Number of classes; 0 for no classifier (the
            forward pass then returns pooled features). Defaults to 1000.
        in_chans (int): Input channels; the stem takes RGB only, so 3.
        global_pool (str): timm pooling type (``'avg'``, ``'max'``,
            ``'avgmax'``, ``'catavgmax'``, or ``''`` for none). Defaults to
            ``'avg'``.
        drop_rate (float): Dropout before the classifier. Defaults to 0.1.
        **backbone_kwargs: Anything else the backbone takes, e.g.
            ``widen_factor``, ``norm_cfg``, ``act_cfg`` or ``with_cp``.
    """

    def __init__(self,
                 backbone: str = 'MobileNetV2CA',
                 attention: OptConfigType = dict(type='CoordAttention'),
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
        if backbone not in FEATURE_STAGES:
            raise ValueError(f'backbone must be one of '
                             f'{", ".join(FEATURE_STAGES)}, not {backbone!r}')
        backbone_cls = MODELS.get(backbone)
        self.backbone = backbone_cls(
            out_indices=(backbone_cls.num_stages - 1, ), attention=attention,
            **backbone_kwargs)
        _init_quietly(self.backbone)
        self.feature_info = _stage_feature_info(self.backbone)
        self.num_features = self.backbone.out_channels
        head_hidden_size = getattr(backbone_cls, 'head_hidden_size', None)
        if head_hidden_size is None:
            self.head = ClassifierHead(
                self.num_features, num_classes, pool_type=global_pool,
                drop_rate=drop_rate)
        else:
            self.head = ConvClassifierHead(
                self.num_features, head_hidden_size, num_classes,
                pool_type=global_pool, drop_rate=drop_rate)
        self.head_hidden_size = self.head.num_features

    @torch.jit.ignore
    def group_matcher(self, coarse: bool = False) -> Dict[str, Any]:
        """Parameter groups in forward order, for layer-wise learning rates.

        The stem, then each block (each stage if ``coarse``); a final 1x1
        conv joins the last one, as timm's own MobileNetV2 groups its
        ``conv_head``, and timm puts the unmatched head last.
        """
        return dict(
            stem=r'^backbone\.conv1\.',
            blocks=[
                (r'^backbone\.layer(\d+)\.' if coarse else
                 r'^backbone\.layer(\d+)\.(\d+)\.', None),
                (r'^backbone\.conv2\.', (99999, )),
            ])

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

    def forward_intermediates(
        self,
        x: torch.Tensor,
        indices: Optional[Union[int, List[int]]] = None,
        norm: bool = False,
        stop_early: bool = False,
        output_fmt: str = 'NCHW',
        intermediates_only: bool = False,
    ) -> Union[List[torch.Tensor], Tuple[torch.Tensor, List[torch.Tensor]]]:
        """The maps of some stages, and the features, in one pass.

        Args:
            x (Tensor): (N, 3, H, W) images.
            indices (int or list[int], optional): Stages to return, as the
                backbone's ``out_indices`` (negative from the end); an int n
                for the last n; None for all.
            norm (bool): timm's switch for a final norm layer. The networks
                end in a conv, so there is none to apply.
            stop_early (bool): Run no stage after the last one returned;
                needs ``intermediates_only``.
            output_fmt (str): ``'NCHW'``, the only layout.
            intermediates_only (bool): Return the stage maps alone.

        Returns:
            list[Tensor] or tuple: The (N, C_i, H/s_i, W/s_i) map of each
            stage asked for, in stage order (C_i and s_i as in
            ``feature_info``); unless ``intermediates_only``, preceded by
            :meth:`forward_features`'s output.
        """
        if output_fmt != 'NCHW':
            raise ValueError(f'{type(self).__name__} returns NCHW maps, not '
                             f'output_fmt={output_fmt!r}.')
        if stop_early and not intermediates_only:
            raise ValueError('stop_early=True needs intermediates_only=True: '
                             'the features come from the last stage.')
        stages = [getattr(self.backbone, name)
                  for name in self.backbone.stage_names]
        take_indices, max_index = feature_take_indices(len(stages), indices)
        if stop_early:
            stages = stages[:max_index + 1]
        intermediates = []
        x = self.backbone.conv1(x)
        for i, stage in enumerate(stages):
            x = stage(x)
            if i in take_indices:
                intermediates.append(x)
        if intermediates_only:
            return intermediates
        return x, intermediates

    def prune_intermediate_layers(self,
                                  indices: Union[int, List[int]] = 1,
                                  prune_norm: bool = False,
                                  prune_head: bool = True) -> List[int]:
        """Drop the stages after the last of ``indices``, and the head.

        The backbone is left as ``out_indices=(last, )`` would have built
        it, and :meth:`forward_features` returns that stage. The head goes
        with any stage (it is sized for the last one) or if ``prune_head``;
        there is no final norm for ``prune_norm`` to drop.

        Returns:
            list[int]: ``indices`` as stage indices from the start.
        """
        backbone = self.backbone
        take_indices, max_index = feature_take_indices(
            len(backbone.stage_names), indices)
        dropped = backbone.stage_names[max_index + 1:]
        for name in dropped:
            delattr(backbone, name)
        backbone.stage_names = backbone.stage_names[:max_index + 1]
        backbone.out_indices = (max_index, )
        backbone.num_built_stages = max_index + 1
        backbone.out_channels = self.feature_info[max_index]['num_chs']
        self.num_features = backbone.out_channels
        if dropped or prune_head:
            self.num_classes = 0
            self.head.reset(0, '', in_features=self.num_features)
            self.head_hidden_size = self.head.num_features
        return take_indices

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) images to the (N, C, H/32, W/32) last stage."""
        return self.backbone(x)[-1]

    def forward_head(self, x: torch.Tensor,
                     pre_logits: bool = False) -> torch.Tensor:
        return self.head(x, pre_logits=pre_logits)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))

    def load_pretrained(self, checkpoint_path: str) -> None:
        """Load a checkpoint of mmpretrain's runner or timm's ``train.py``,
        or bare weights.

        timm calls this for a ``file`` in the pretrained cfg (the cfg has
        ``custom_load=True``): timm's own loader unpickles with
        ``weights_only=True`` and ``argparse.Namespace`` alone, and refuses
        the message hub a runner checkpoint holds. This loader allows the
        runner's types and timm's Namespace and refuses any other pickled
        object; it takes the weights timm would (the EMA ones first). As in
        timm, a classifier for another number of classes is left out and
        this model's stays fresh; anything else must match.

        Raises:
            UnsafeCheckpointError: The file holds another pickled object.
            RuntimeError: The weights are of another architecture.
        """
        weights = _checkpoint_weights(
            load_checkpoint_safely(checkpoint_path, map_location='cpu',
                                   extra_globals=TIMM_CHECKPOINT_GLOBALS))
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


@torch.no_grad()
def _stage_feature_info(backbone: nn.Module) -> List[Dict[str, Any]]:
    """timm's ``feature_info`` of each stage: ``num_chs``, ``reduction``
    (output stride) and ``module``, measured on one black image of
    ``PROBE_SIZE`` pixels square.

    Measured rather than derived from the arguments, as timm's HybridEmbed
    measures its backbone, so it holds for any ``strides``, ``dilations`` or
    width. In eval mode, so that the norm statistics stay as they are; the
    flags are set directly, as ``train()`` would also freeze stages.
    """
    modes = {module: module.training for module in backbone.modules()}
    for module in modes:
        module.training = False
    try:
        weight = next(backbone.parameters())
        x = backbone.conv1(weight.new_zeros(1, 3, PROBE_SIZE, PROBE_SIZE))
        info = []
        for name in backbone.stage_names:
            x = getattr(backbone, name)(x)
            info.append(dict(num_chs=x.shape[1],
                             reduction=PROBE_SIZE // x.shape[-1],
                             module=f'backbone.{name}'))
    finally:
        for module, mode in modes.items():
            module.training = mode
    return info


def _checkpoint_weights(checkpoint: Dict[str, Any]) -> Dict[str, Any]:
    """The weights timm's ``load_state_dict`` takes from a checkpoint (see
    ``TIMM_WEIGHT_KEYS``; bare weights as they are), without the prefixes
    of (Distributed)DataParallel and ``torch.compile``."""
    for key in TIMM_WEIGHT_KEYS:
        if checkpoint.get(key) is not None:
            return clean_state_dict(checkpoint[key])
    return clean_state_dict(checkpoint)


def _drop_prefix(weights: Dict[str, Any], prefix: str) -> Dict[str, Any]:
    return {key: value for key, value in weights.items()
            if not key.startswith(prefix)}


def _create(variant: str, pretrained: bool = False,
            **kwargs: Any) -> MobileNetCAClassifier:
    # timm resets custom_load whenever an overlay names a weight file, which
    # would hand our runner checkpoints to its own loader; a caller may still
    # ask for that loader with custom_load=False.
    overlay = dict(kwargs.pop('pretrained_cfg_overlay', None) or {})
    overlay.setdefault('custom_load', True)
    # forward_intermediates serves features_only: the stages sit inside
    # ``backbone``, out of reach of timm's default extractor, which walks
    # the model's own children (feature_cls='hook' also works).
    feature_cfg = dict(out_indices=FEATURE_STAGES[kwargs['backbone']],
                       feature_cls='getter')
    return build_model_with_cfg(
        MobileNetCAClassifier, variant, pretrained,
        pretrained_cfg_overlay=overlay, feature_cfg=feature_cfg, **kwargs)


def _cfg(**kwargs: Any) -> Dict[str, Any]:
    return dict(
        num_classes=1000, input_size=(3, 224, 224), pool_size=(7, 7),
        crop_pct=0.875, interpolation='bilinear', mean=IMAGENET_DEFAULT_MEAN,
        std=IMAGENET_DEFAULT_STD, first_conv='backbone.conv1.conv',
        classifier=CLASSIFIER, custom_load=True, **kwargs)


# No weights are released under these names: ``pretrained=True`` needs a
# file in the cfg overlay.
default_cfgs = generate_default_cfgs({
    'mobilenetv2_ca_100': _cfg(),
    'mobilenetv2_se_100': _cfg(),
    'mobilenetv2_cbam_100': _cfg(),
    'mobilenext_100': _cfg(),
    'mobilenext_ca_100': _cfg(),
    'mobilenext_se_100': _cfg(),
    'mobilenetv3_large_ca_100': _cfg(),
    'mobilenetv3_small_ca_100': _cfg(),
    'efficientnet_b0_ca': _cfg(),
})


@register_model
def mobilenetv2_ca_100(pretrained: bool = False,
                       **kwargs: Any) -> MobileNetCAClassifier:
    """MobileNetV2 1.0 with coordinate attention in each expanding block."""
    model_args = dict(backbone='MobileNetV2CA',
                      attention=dict(type='CoordAttention'))
    return _create('mobilenetv2_ca_100', pretrained,
                   **dict(model_args, **kwargs))


@register_model
def mobilenetv2_se_100(pretrained: bool = False,
                       **kwargs: Any) -> MobileNetCAClassifier:
    """MobileNetV2 1.0 with squeeze-and-excitation in each expanding block."""
    model_args = dict(backbone='MobileNetV2CA',
                      attention=dict(type='SqueezeExcitation'))
    return _create('mobilenetv2_se_100', pretrained,
                   **dict(model_args, **kwargs))


@register_model
def mobilenetv2_cbam_100(pretrained: bool = False,
                         **kwargs: Any) -> MobileNetCAClassifier:
    """MobileNetV2 1.0 with CBAM in each expanding block."""
    model_args = dict(backbone='MobileNetV2CA', attention=dict(type='CBAM'))
    return _create('mobilenetv2_cbam_100', pretrained,
                   **dict(model_args, **kwargs))


@register_model
def mobilenext_100(pretrained: bool = False,
                   **kwargs: Any) -> MobileNetCAClassifier:
    """MobileNeXt 1.0 without attention."""
    model_args = dict(backbone='MobileNeXtCA', attention=None)
    return _create('mobilenext_100', pretrained, **dict(model_args, **kwargs))


@register_model
def mobilenext_ca_100(pretrained: bool = False,
                      **kwargs: Any) -> MobileNetCAClassifier:
    """MobileNeXt 1.0 with coordinate attention in each sandglass block."""
    model_args = dict(backbone='MobileNeXtCA',
                      attention=dict(type='CoordAttention'))
    return _create('mobilenext_ca_100', pretrained,
                   **dict(model_args, **kwargs))


@register_model
def mobilenext_se_100(pretrained: bool = False,
                      **kwargs: Any) -> MobileNetCAClassifier:
    """MobileNeXt 1.0 with squeeze-and-excitation in each sandglass block."""
    model_args = dict(backbone='MobileNeXtCA',
                      attention=dict(type='SqueezeExcitation'))
    return _create('mobilenext_se_100', pretrained,
                   **dict(model_args, **kwargs))


# MobileNetV3 and EfficientNet train with dropout 0.2 before the classifier
# (both papers, and timm's recipes for its own models).
@register_model
def mobilenetv3_large_ca_100(pretrained: bool = False,
                             **kwargs: Any) -> MobileNetCAClassifier:
    """MobileNetV3-Large 1.0 with coordinate attention where its SE was."""
    model_args = dict(backbone='MobileNetV3LargeCA',
                      attention=dict(type='CoordAttention'), drop_rate=0.2)
    return _create('mobilenetv3_large_ca_100', pretrained,
                   **dict(model_args, **kwargs))


@register_model
def mobilenetv3_small_ca_100(pretrained: bool = False,
                             **kwargs: Any) -> MobileNetCAClassifier:
    """MobileNetV3-Small 1.0 with coordinate attention where its SE was."""
    model_args = dict(backbone='MobileNetV3SmallCA',
                      attention=dict(type='CoordAttention'), drop_rate=0.2)
    return _create('mobilenetv3_small_ca_100', pretrained,
                   **dict(model_args, **kwargs))


@register_model
def efficientnet_b0_ca(pretrained: bool = False,
                       **kwargs: Any) -> MobileNetCAClassifier:
    """EfficientNet-B0 with coordinate attention in place of its SE."""
    model_args = dict(backbone='EfficientNetB0CA',
                      attention=dict(type='CoordAttention'), drop_rate=0.2)
    return _create('efficientnet_b0_ca', pretrained,
                   **dict(model_args, **kwargs))
