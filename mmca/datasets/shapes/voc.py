"""Write the Pascal VOC-format sets (``VOCdevkit_shapes/``): VOC2007
detection and VOC2012 segmentation, as the devkit lays them out."""
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict

import cv2
import numpy as np
from PIL import Image

from mmca.utils.voc_palette import voc_palette
from .files import write_jpeg, write_lines
from .metainfo import IGNORE_INDEX, SHAPE_CLASSES
from .progress import Progress
from .render import DET_SCENE, VOC_SEG_SCENE, render_scene, scene_rng
from .scene import Scene


def voc_xml(folder: str, file_name: str, scene: Scene) -> ET.ElementTree:
    """Pascal VOC annotation; boxes are 1-based inclusive pixel coords."""

    def add(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
        child = ET.SubElement(parent, tag)
        if text is not None:
            child.text = str(text)
        return child

    h, w = scene.instances.shape
    root = ET.Element('annotation')
    add(root, 'folder', folder)
    add(root, 'filename', file_name)
    add(add(root, 'source'), 'database', 'mmca synthetic shapes')
    size = add(root, 'size')
    for tag, value in (('width', w), ('height', h), ('depth', 3)):
        add(size, tag, value)
    add(root, 'segmented', 0)
    for obj in scene.objects:
        x0, y0, x1, y1 = obj.box
        node = add(root, 'object')
        add(node, 'name', SHAPE_CLASSES[obj.label])
        add(node, 'pose', 'Unspecified')
        add(node, 'truncated', int(obj.truncated))
        add(node, 'difficult', 0)
        box = add(node, 'bndbox')
        for tag, value in (('xmin', x0 + 1), ('ymin', y0 + 1), ('xmax', x1),
                           ('ymax', y1)):
            add(box, tag, value)
    tree = ET.ElementTree(root)
    ET.indent(tree, space='\t')
    return tree


def write_voc_det(root: Path, counts: Dict[str, int], seed: int,
                  progress: Progress) -> int:
    """VOC2007 detection: ``JPEGImages``, ``Annotations`` and
    ``ImageSets/Main/{trainval,test}.txt`` (train -> trainval, val -> test).

    Returns the number of objects written.
    """
    (root / 'JPEGImages').mkdir(parents=True)
    (root / 'Annotations').mkdir()
    num_objects, next_id = 0, 1
    for split, image_set in (('train', 'trainval'), ('val', 'test')):
        ids = []
        for index in progress.track(range(counts[split])):
            scene = render_scene(scene_rng(seed, 'voc2007', split, index),
                                 DET_SCENE)
            img_id = f'{next_id:06d}'
            next_id += 1
            write_jpeg(root / 'JPEGImages' / f'{img_id}.jpg', scene.image)
            voc_xml('VOC2007', f'{img_id}.jpg', scene).write(
                root / 'Annotations' / f'{img_id}.xml', encoding='utf-8')
            ids.append(img_id)
            num_objects += len(scene.objects)
        write_lines(root / 'ImageSets' / 'Main' / f'{image_set}.txt', ids)
    return num_objects


def write_voc_seg(root: Path, counts: Dict[str, int], seed: int,
                  progress: Progress) -> int:
    """VOC2012 segmentation: ``JPEGImages``, palette ``SegmentationClass``
    PNGs with ``IGNORE_INDEX`` on object borders, and
    ``ImageSets/Segmentation/{split}.txt``.

    Returns the number of objects written.
    """
    (root / 'JPEGImages').mkdir(parents=True)
    (root / 'SegmentationClass').mkdir()
    palette = voc_palette().ravel().tolist()
    kernel = np.ones((3, 3), np.uint8)
    num_objects, next_id = 0, 1
    for split, count in counts.items():
        ids = []
        for index in progress.track(range(count)):
            scene = render_scene(scene_rng(seed, 'voc2012', split, index),
                                 VOC_SEG_SCENE)
            img_id = f'2012_{next_id:06d}'
            next_id += 1
            write_jpeg(root / 'JPEGImages' / f'{img_id}.jpg', scene.image)
            label = scene.semantic_map()
            border = (cv2.dilate(scene.instances, kernel) !=
                      cv2.erode(scene.instances, kernel))
            label[border] = IGNORE_INDEX
            png = Image.fromarray(label)
            png.putpalette(palette)
            png.save(root / 'SegmentationClass' / f'{img_id}.png')
            ids.append(img_id)
            num_objects += len(scene.objects)
        write_lines(root / 'ImageSets' / 'Segmentation' / f'{split}.txt', ids)
    return num_objects
