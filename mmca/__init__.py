"""mmca: coordinate attention for OpenMMLab.

Importing the package registers its modules and does nothing else:

- in mmengine's root registries, where mmpretrain, mmdet and mmseg configs
  find them: the attention modules and backbones (``MODELS``), the heads
  built on a library where that library imports, ``ChannelsLastHook``,
  ``AtomicCheckpointHook`` and ``NonFiniteLossHook`` (``HOOKS``) and
  ``CPUDistributedDataParallel`` (``MODEL_WRAPPERS``), the data
  transforms that name broken files, ``CheckedLoadImageFromFile`` and
  ``CheckSegLabels`` (``TRANSFORMS``), and the generated shapes sets'
  datasets, ``ShapesCocoDataset``, ``ShapesCityscapesDataset`` and
  ``ShapesImageNet``, each where its library imports (``DATASETS``);
- in mmengine's file backends, the atomic local backend the
  ``AtomicCheckpointHook`` writes through (:mod:`mmca.engine`);
- where timm imports, the backbones as timm models
  (:mod:`mmca.models.timm_models`).

One process-wide effect is deliberate: mmengine then loads local
checkpoints through :func:`mmca.utils.load_checkpoint_safely`, which allows
the types a runner checkpoint holds and refuses any other pickled object, so
that ``test.py``, ``--resume`` and ``load_from`` work under torch >= 2.6
without turning the safety check off (:mod:`mmca.utils.safe_checkpoint`).

``mmca.list_models``, ``mmca.get_model`` and ``mmca.inference_model``
(:mod:`mmca.apis`, in mmpretrain's form) load on first use, so that the
import stays registration only.
"""
from . import datasets, engine, models, utils  # noqa: F401
from .utils.optional_import import library_imports
from .version import __version__

if library_imports('timm'):
    from .models import timm_models  # noqa: F401

#: The entry points of :mod:`mmca.apis` that ``mmca.<name>`` gives.
_APIS = ('get_model', 'inference_model', 'list_models')

__all__ = ['__version__', *_APIS]


def __getattr__(name: str):
    if name in _APIS:
        from . import apis
        return getattr(apis, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
