"""The ImageNet-format shapes set as an mmpretrain dataset."""
from mmengine.registry import DATASETS
from mmpretrain.datasets import ImageNet

from .shapes.metainfo import CLS_CLASSES


@DATASETS.register_module()
class ShapesImageNet(ImageNet):
    """mmpretrain's :class:`~mmpretrain.datasets.ImageNet` with the classes
    of the generated ImageNet-format shapes set (``data/imagenet_shapes/``,
    written by :func:`mmca.datasets.shapes.write_imagenet`).

    Args are ImageNet's: ``split='train'`` or ``'val'`` reads
    ``meta/{split}.txt`` below ``data_root``, as do
    ``ann_file='meta/{split}.txt', data_prefix='{split}'``.
    """
    METAINFO = dict(classes=CLS_CLASSES)
