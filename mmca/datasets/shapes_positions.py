"""The positions set (ImageNet layout) as an mmpretrain dataset."""
from mmengine.registry import DATASETS
from mmpretrain.datasets import ImageNet

from .positions.layout import POSITION_CLASSES


@DATASETS.register_module()
class ShapesPositions(ImageNet):
    """mmpretrain's :class:`~mmpretrain.datasets.ImageNet` with the classes
    of the generated positions set (``data/imagenet_positions/``, written
    by :func:`mmca.datasets.positions.write_positions`): whether the two
    crosses of an image line up along a row, a column, or neither.

    Args are ImageNet's: ``split='train'`` or ``'val'`` reads
    ``meta/{split}.txt`` below ``data_root``.
    """
    METAINFO = dict(classes=POSITION_CLASSES)
