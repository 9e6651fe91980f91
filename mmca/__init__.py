"""mmca: coordinate attention for OpenMMLab.

Importing the package registers its attention modules and backbones in
mmengine's root ``MODELS`` registry, where mmdet, mmseg and mmpretrain
configs find them, and makes mmengine load runner checkpoints safely under
torch >= 2.6 (see :mod:`mmca.utils.safe_checkpoint`).
"""
from . import models, utils  # noqa: F401
from .version import __version__

__all__ = ['__version__']
