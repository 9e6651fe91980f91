"""The Cityscapes-format shapes set as an mmseg dataset."""
from mmengine.registry import DATASETS
from mmseg.datasets import BaseSegDataset

from .shapes.cityscapes import IMG_SUFFIX, SEG_MAP_SUFFIX
from .shapes.metainfo import SEG_CLASSES, SEG_PALETTE


@DATASETS.register_module()
class ShapesCityscapesDataset(BaseSegDataset):
    """The generated Cityscapes-format shapes set (``data/cityscapes_shapes/``,
    written by :func:`mmca.datasets.shapes.write_cityscapes`): mmseg's
    :class:`~mmseg.datasets.BaseSegDataset` with Cityscapes' file suffixes
    and the classes and palette of the shapes.

    Not a ``CityscapesDataset``: only the layout is Cityscapes', and mmseg
    treats that type as the 19 Cityscapes classes (it refuses other names).

    Args:
        img_suffix (str): Ending of an image file. Defaults to
            ``'_leftImg8bit.png'``.
        seg_map_suffix (str): Ending of its label map, indices into
            ``SEG_CLASSES``. Defaults to ``'_gtFine_labelTrainIds.png'``.
        **kwargs: BaseSegDataset's, e.g. ``data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train')``.
    """
    METAINFO = dict(classes=SEG_CLASSES, palette=SEG_PALETTE)

    def __init__(self,
                 img_suffix: str = IMG_SUFFIX,
                 seg_map_suffix: str = SEG_MAP_SUFFIX,
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)
