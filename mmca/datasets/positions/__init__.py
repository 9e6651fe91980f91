"""A generated classification set where the label is an arrangement:
whether the two crosses of an image line up along a row, along a column,
or neither.

The shapes classifier (:mod:`mmca.datasets.shapes`, ``imagenet_shapes/``)
tells eight shapes apart; position plays no part in it, and every attention
scores alike there. Here every image holds the same two objects, and the
label is only where they sit relative to each other (:mod:`.layout`).
Global pooling, as SE's squeeze, keeps that two crosses are present and
loses where; pooling along rows and along columns, as coordinate attention
does, keeps a row (column) that holds both crosses apart from rows
(columns) that hold one each. Images are 64x64, the size the demo trains
at (``configs/demo/mbv2_ca_positions_cls.py``), in the ImageNet layout::

    data/imagenet_positions/train/<class>/<class>_<n:06d>.JPEG
    data/imagenet_positions/val/ILSVRC2012_val_<n:08d>.JPEG
    data/imagenet_positions/meta/{train,val}.txt  (``<file> <label>``)

``tools/make_demo_data.py --tasks positions`` writes it; the dataset type
``ShapesPositions`` (:mod:`mmca.datasets`) reads it.
"""
from .imagenet import (POSITIONS_COUNTS, POSITIONS_JOB, generate_positions,
                       write_positions)
from .layout import (IMAGE_SIZE, POSITION_CLASSES, alignment_label,
                     sample_centres)
from .render import CROSS, render_positions

__all__ = [
    'CROSS', 'IMAGE_SIZE', 'POSITIONS_COUNTS', 'POSITIONS_JOB',
    'POSITION_CLASSES', 'alignment_label', 'generate_positions',
    'render_positions', 'sample_centres', 'write_positions'
]
