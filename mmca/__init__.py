"""mmca: coordinate attention for OpenMMLab.

Importing the package registers its attention modules and backbones in
mmengine's root ``MODELS`` registry, where mmdet, mmseg and mmpretrain
configs find them, and makes mmengine load runner checkpoints safely under
torch >= 2.6 (see :mod:`mmca.utils.safe_checkpoint`).
"""
import warnings

# mmengine 0.10.7 resolves ``mmdet::``/``mmseg::`` base configs through
# pkg_resources, which warns of its own deprecation on every config load.
warnings.filterwarnings(
    'ignore', message='pkg_resources is deprecated', category=UserWarning)

from . import engine, models, utils  # noqa: E402,F401
from .utils.optional_import import library_imports  # noqa: E402
from .version import __version__  # noqa: E402

if library_imports('timm'):
    from . import timm_models  # noqa: F401

__all__ = ['__version__']
