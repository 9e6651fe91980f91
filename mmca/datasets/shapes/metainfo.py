"""The classes and colours of the shapes sets, for the generator that writes
them and the datasets that read them (:mod:`mmca.datasets`)."""
from mmca.utils.voc_palette import voc_palette

#: What the detection and segmentation scenes draw; COCO category ids and
#: the VOC ``<name>`` follow this order (ids from 1).
SHAPE_CLASSES = ('circle', 'square', 'triangle', 'cross')
#: Label map values of the segmentation sets: 0 is the background.
SEG_CLASSES = ('background', ) + SHAPE_CLASSES
#: Labels of the classification set. It starts with SHAPE_CLASSES, so a
#: label indexes both tuples alike.
CLS_CLASSES = SHAPE_CLASSES + ('star', 'hexagon', 'arrow', 'ell')
#: Colour of each of SEG_CLASSES, as ``[r, g, b]``: the VOC colour map's
#: first entries, the colours of the VOC2012 set's palette PNGs.
SEG_PALETTE = voc_palette(len(SEG_CLASSES)).tolist()
#: Label of the VOC2012 set's object borders, which mmseg leaves out.
IGNORE_INDEX = 255
