"""Datasets and data transforms, each registered in mmengine's root
registries; the datasets built on a library only where it imports."""
from mmca.utils.optional_import import library_imports
from .checked_loading import (BROKEN_IMAGE_ACTIONS, BrokenDataError,
                              CheckedLoadImageFromFile, CheckSegLabels,
                              use_checked_loading)
from .dataset_classes import classes_of_test_set, dataset_classes
from .resumable import (ResumableBatchSampler, SeededBatch, SeededSamples,
                        derive_seed, seed_everything)

__all__ = [
    'BROKEN_IMAGE_ACTIONS', 'BrokenDataError', 'CheckedLoadImageFromFile',
    'CheckSegLabels', 'ResumableBatchSampler', 'SeededBatch',
    'SeededSamples', 'classes_of_test_set', 'dataset_classes',
    'derive_seed', 'seed_everything', 'use_checked_loading'
]

if library_imports('mmdet.datasets'):
    from .shapes_coco import ShapesCocoDataset  # noqa: F401
    __all__ += ['ShapesCocoDataset']
if library_imports('mmseg.datasets'):
    from .shapes_cityscapes import ShapesCityscapesDataset  # noqa: F401
    __all__ += ['ShapesCityscapesDataset']
if library_imports('mmpretrain.datasets'):
    from .shapes_imagenet import ShapesImageNet  # noqa: F401
    from .shapes_positions import ShapesPositions  # noqa: F401
    __all__ += ['ShapesImageNet', 'ShapesPositions']
