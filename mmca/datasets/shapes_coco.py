"""The COCO-format shapes set as an mmdet dataset."""
from mmdet.datasets import CocoDataset
from mmengine.registry import DATASETS

from .shapes.metainfo import SHAPE_CLASSES


@DATASETS.register_module()
class ShapesCocoDataset(CocoDataset):
    """mmdet's :class:`~mmdet.datasets.CocoDataset` with the classes of the
    generated COCO-format shapes set (``data/coco_shapes/``, written by
    :func:`mmca.datasets.shapes.write_coco`).

    Args are CocoDataset's: ``ann_file='annotations/instances_{split}.json'``
    and ``data_prefix=dict(img='{split}/')`` below ``data_root``.
    """
    # The colours of COCO's first four classes: the demo's pictures keep
    # the box colours they had when the configs read this set as COCO.
    METAINFO = dict(
        classes=SHAPE_CLASSES,
        palette=CocoDataset.METAINFO['palette'][:len(SHAPE_CLASSES)])
