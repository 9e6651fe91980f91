"""Small, deterministic shape datasets in real on-disk formats.

The datasets let the detection, segmentation and classification pipelines
(mmdet ``CocoDataset``/``VOCDataset``, mmseg Cityscapes/Pascal VOC layouts,
mmpretrain ``ImageNet``) train and evaluate end to end on a CPU; the demo
configs (``configs/demo/``) read them through the dataset types
``ShapesCocoDataset``, ``ShapesCityscapesDataset`` and ``ShapesImageNet``
(:mod:`mmca.datasets`), which carry the classes and palette of
:mod:`.metainfo`. ``tools/make_demo_data.py`` is the command line of
:func:`generate`.

Every image is a textured background with objects whose class is given by
their *shape* (:mod:`.render`). Detection and segmentation images hold
several objects (circle, square, triangle, cross) that may overlap and may
be cut by the image border. Classification images (112 to 144 px a side)
hold exactly one large object of one of eight shapes (``CLS_CLASSES``), on
a background without stripes (:func:`render_object`).

Written layouts (``out='data'``)::

    data/coco_shapes/{train,val}/*.jpg
    data/coco_shapes/annotations/instances_{train,val}.json
    data/VOCdevkit_shapes/VOC2007/{JPEGImages,Annotations,ImageSets/Main}
    data/VOCdevkit_shapes/VOC2012/{JPEGImages,SegmentationClass,
                                   ImageSets/Segmentation}
    data/cityscapes_shapes/{leftImg8bit,gtFine}/{train,val}/<city>/...
    data/imagenet_shapes/train/<class>/<class>_<n:06d>.JPEG
    data/imagenet_shapes/val/ILSVRC2012_val_<n:08d>.JPEG
    data/imagenet_shapes/meta/{train,val}.txt  (``<file below split> <label>``)

Annotation conventions:

* Detection boxes are the box of the full shape clipped to the image (amodal:
  parts hidden by a later object still count); the COCO ``segmentation`` is the
  polygon of that same clipped shape and ``area`` its pixel count. Placement
  is rejection-sampled so that every object keeps at least half of its
  in-image area visible; no drawn object is left unannotated.
* Segmentation labels are the visible pixels: later objects cover earlier ones.

The VOC sets have no dataset type of their own, as no config reads them:
mmdet's ``VOCDataset`` reads VOC2007 with
``metainfo=dict(classes=SHAPE_CLASSES)``, and mmseg's ``BaseSegDataset``
VOC2012 with ``metainfo=dict(classes=SEG_CLASSES, palette=SEG_PALETTE)``
and the suffixes ``.jpg`` and ``.png`` (mmseg's ``PascalVOCDataset``, like
its ``CityscapesDataset``, refuses class names that are not its own).
"""
from .cityscapes import write_cityscapes
from .coco import write_coco
from .generate import DEFAULT_COUNTS, JOBS, DatasetJob, generate, run_job
from .imagenet import write_imagenet
from .metainfo import (CLS_CLASSES, IGNORE_INDEX, SEG_CLASSES, SEG_PALETTE,
                       SHAPE_CLASSES)
from .render import CLS_SIZE, render_object, render_scene, scene_rng
from .scene import Scene, SceneObject, SceneSpec
from .voc import write_voc_det, write_voc_seg

__all__ = [
    'CLS_CLASSES', 'CLS_SIZE', 'DEFAULT_COUNTS', 'DatasetJob',
    'IGNORE_INDEX', 'JOBS', 'SEG_CLASSES', 'SEG_PALETTE', 'SHAPE_CLASSES',
    'Scene', 'SceneObject', 'SceneSpec', 'generate', 'render_object',
    'render_scene', 'run_job', 'scene_rng', 'write_cityscapes', 'write_coco',
    'write_imagenet', 'write_voc_det', 'write_voc_seg'
]
