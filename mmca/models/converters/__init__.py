"""Weights of timm's and mmpretrain's MobileNetV3 and EfficientNet-B0,
renamed for the mmca backbones that equal them (``attention=MOBILENETV3_SE``
or ``EFFICIENTNET_SE``). ``tools/model_converters/`` runs them on files."""
from .blocks import (SE_NETWORKS, backbone_block_names, expected_weights,
                     layout_mismatch)
from .checkpoint import SOURCES, convert_checkpoint
from .from_mmpretrain import mmpretrain_to_mmca
from .from_timm import timm_to_mmca

__all__ = [
    'SE_NETWORKS', 'SOURCES', 'backbone_block_names', 'convert_checkpoint',
    'expected_weights', 'layout_mismatch', 'mmpretrain_to_mmca',
    'timm_to_mmca'
]
