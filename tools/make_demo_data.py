#!/usr/bin/env python
"""Generate small, deterministic shape datasets in real on-disk formats.

The datasets let the detection, segmentation and classification pipelines
(mmdet ``CocoDataset``/``VOCDataset``, mmseg Cityscapes/Pascal VOC layouts,
mmpretrain ``ImageNet``) train and evaluate end to end on a CPU. Every image
is a textured background (smooth colour blotches, stripes, noise) with objects
whose class is given by their *shape*; colours, sizes, positions and rotations
are random. Detection and segmentation images hold several objects
(circle, square, triangle, cross) that may overlap and may be cut by the image
border. Classification images (112 to 144 px a side) hold exactly one large
object of one of eight shapes (``CLS_CLASSES``), whose box leaves the image by
at most 5 % of its side, on a background without stripes (see
:func:`render_object`).

Written layouts (``--out data``)::

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

mmseg's ``CityscapesDataset`` and ``PascalVOCDataset`` refuse class names that
are not a subset of their own, so seg configs should use ``BaseSegDataset``
with the matching suffixes and ``metainfo=dict(classes=SEG_CLASSES,
palette=SEG_PALETTE)``; mmdet datasets accept
``metainfo=dict(classes=SHAPE_CLASSES)`` directly, and mmpretrain's
``ImageNet`` takes ``split='train'``/``'val'`` with
``metainfo=dict(classes=CLS_CLASSES)``.

Examples::

    python tools/make_demo_data.py --out data --tasks det seg --seed 0
    python tools/make_demo_data.py --tasks cls  # 4000 train + 500 val images
"""
import argparse
import json
import shutil
import time
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import cv2
import numpy as np
from PIL import Image

from mmca.utils.voc_palette import voc_palette

SHAPE_CLASSES = ('circle', 'square', 'triangle', 'cross')
SEG_CLASSES = ('background', ) + SHAPE_CLASSES
# Starts with SHAPE_CLASSES, so a label indexes both tuples alike.
CLS_CLASSES = SHAPE_CLASSES + ('star', 'hexagon', 'arrow', 'ell')
IGNORE_INDEX = 255


SEG_PALETTE = voc_palette(len(SEG_CLASSES)).tolist()

DEFAULT_COUNTS = {'det': (1200, 200), 'seg': (200, 30), 'cls': (4000, 500)}
MIN_VISIBLE_PIXELS = 64  # smallest visible area an object may keep
MIN_VISIBLE_FRACTION = 0.5  # of its in-image area, after later occluders
MIN_INSIDE_FRACTION = 0.35  # of its full area that must lie in the image
MIN_CONTRAST = 90.0  # RGB distance of an object's colour to what it covers
MAX_PLACEMENT_TRIES = 200
JPEG_QUALITY = 90
COMPLETE_MARKER = '.complete.json'
PROGRESS_AFTER_SECONDS = 2.0  # jobs done sooner report nothing on the way


@dataclass(frozen=True)
class SceneSpec:
    """Ranges (inclusive) a scene is sampled from.

    ``object_scale`` is the object size relative to the shorter image side.
    """
    height: Tuple[int, int]
    width: Tuple[int, int]
    object_scale: Tuple[float, float]
    num_objects: Tuple[int, int]


DET_SCENE = SceneSpec((256, 400), (256, 400), (0.12, 0.45), (2, 6))
CITYSCAPES_SCENE = SceneSpec((256, 256), (512, 512), (0.2, 0.7), (2, 4))
VOC_SEG_SCENE = SceneSpec((256, 400), (256, 400), (0.2, 0.7), (2, 4))
# Classification images: one object, its longer box side this fraction of the
# shorter image side. At 96 px network input the smallest hexagon still has
# corners ~3 px off its circumcircle.
CLS_SIZE = (112, 144)  # range of the height and, apart, of the width
CLS_OBJECT_SCALE = (0.45, 0.8)
CLS_MAX_OVERHANG = 0.05  # of the object's box side, on any image border


@dataclass
class SceneObject:
    """One drawn object.

    Attributes:
        label: Index into ``CLS_CLASSES`` (``SHAPE_CLASSES`` in scenes).
        polygon: ``(N, 2)`` float vertices (x, y); may leave the image.
        mask: Full shape clipped to the image, ignoring occlusion.
    """
    label: int
    polygon: np.ndarray
    mask: np.ndarray

    @property
    def box(self) -> Tuple[int, int, int, int]:
        """Pixel box ``(x0, y0, x1, y1)`` of ``mask``, end exclusive."""
        xs = np.flatnonzero(self.mask.any(0))
        ys = np.flatnonzero(self.mask.any(1))
        return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1

    @property
    def truncated(self) -> bool:
        """Whether the shape extends beyond the image."""
        h, w = self.mask.shape
        return bool((self.polygon.min(0) < 0).any()
                    or self.polygon[:, 0].max() > w - 1
                    or self.polygon[:, 1].max() > h - 1)


@dataclass
class Scene:
    """A rendered image with its objects in drawing order.

    Attributes:
        image: ``(H, W, 3)`` uint8 RGB.
        objects: Drawn objects, later ones on top.
        instances: ``(H, W)`` uint8, 0 for background and ``k`` where
            ``objects[k - 1]`` is visible.
    """
    image: np.ndarray
    objects: List[SceneObject]
    instances: np.ndarray

    def semantic_map(self) -> np.ndarray:
        """Return ``(H, W)`` uint8 indices into ``SEG_CLASSES``."""
        lut = np.array([0] + [obj.label + 1 for obj in self.objects], np.uint8)
        return lut[self.instances]


# --------------------------------------------------------------------------
# Scene renderer
# --------------------------------------------------------------------------
def _circle(rng: np.random.Generator, radius: float) -> np.ndarray:
    angles = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    return radius * np.stack([np.cos(angles), np.sin(angles)], 1)


def _square(rng: np.random.Generator, radius: float) -> np.ndarray:
    aspect = np.sqrt(rng.uniform(0.8, 1.25))
    half_w, half_h = radius * aspect, radius / aspect
    return np.array([[-half_w, -half_h], [half_w, -half_h], [half_w, half_h],
                     [-half_w, half_h]])


def _triangle(rng: np.random.Generator, radius: float) -> np.ndarray:
    angles = (rng.uniform(0, 2 * np.pi) + np.arange(3) * 2 * np.pi / 3 +
              rng.uniform(-0.15, 0.15, 3))
    return radius * np.stack([np.cos(angles), np.sin(angles)], 1)


def _rotate(points: np.ndarray, theta: float) -> np.ndarray:
    rotation = np.array([[np.cos(theta), -np.sin(theta)],
                         [np.sin(theta), np.cos(theta)]])
    return points @ rotation.T


def _cross(rng: np.random.Generator, radius: float) -> np.ndarray:
    r, a = radius, radius * rng.uniform(0.28, 0.4)  # arm length, half width
    points = np.array([[a, r], [a, a], [r, a], [r, -a], [a, -a], [a, -r],
                       [-a, -r], [-a, -a], [-r, -a], [-r, a], [-a, a],
                       [-a, r]])
    return _rotate(points, rng.uniform(0, np.pi / 2))


def _star(rng: np.random.Generator, radius: float) -> np.ndarray:
    angles = np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, 1, rng.uniform(0.38, 0.5))
    return radius * radii[:, None] * np.stack(
        [np.cos(angles), np.sin(angles)], 1)


def _hexagon(rng: np.random.Generator, radius: float) -> np.ndarray:
    angles = np.arange(6) * np.pi / 3
    return radius * np.stack([np.cos(angles), np.sin(angles)], 1)


def _arrow(rng: np.random.Generator, radius: float) -> np.ndarray:
    """Pointing along +x: a shaft of about 2/5 of the length, then the head."""
    neck = radius * rng.uniform(-0.3, -0.1)  # where the head starts
    head = radius * rng.uniform(0.6, 0.8)  # half widths of head and shaft
    shaft = radius * rng.uniform(0.2, 0.3)
    return np.array([[-radius, -shaft], [neck, -shaft], [neck, -head],
                     [radius, 0], [neck, head], [neck, shaft],
                     [-radius, shaft]])


def _ell(rng: np.random.Generator, radius: float) -> np.ndarray:
    """Two arms of width ``t`` meeting at a right angle in the corner
    ``(-radius, -radius)``; the vertical arm is the longer one."""
    r, t = radius, radius * rng.uniform(0.45, 0.6)
    foot = r * rng.uniform(0.4, 0.8)  # end of the horizontal arm
    return np.array([[-r, -r], [foot, -r], [foot, -r + t], [-r + t, -r + t],
                     [-r + t, r], [-r, r]])


# Polygon builders centred at the origin, indexed like CLS_CLASSES; scenes
# draw from the first len(SHAPE_CLASSES).
_SHAPE_BUILDERS: Tuple[Callable[[np.random.Generator, float], np.ndarray],
                       ...] = (_circle, _square, _triangle, _cross, _star,
                               _hexagon, _arrow, _ell)


def _blotches(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Smooth colour blotches, float32 ``(h, w, 3)``."""
    grid_h, grid_w = rng.integers(2, 6, size=2)
    grid = rng.uniform(20, 235, (grid_h, grid_w, 3)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def _background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Smooth colour blotches plus coloured stripes, float32 ``(h, w, 3)``."""
    image = _blotches(rng, h, w)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    theta = rng.uniform(0, np.pi)
    phase = ((xs * np.cos(theta) + ys * np.sin(theta)) * 2 * np.pi /
             rng.uniform(6, 48) + rng.uniform(0, 2 * np.pi))
    amplitude = rng.uniform(-30, 30, 3).astype(np.float32)
    return image + np.sin(phase)[..., None] * amplitude


def _fill(polygon: np.ndarray, h: int, w: int, antialias: bool) -> np.ndarray:
    """Rasterise ``polygon`` (sub-pixel precise) into a uint8 ``(h, w)``."""
    canvas = np.zeros((h, w), np.uint8)
    points = np.round(polygon * 16).astype(np.int32)
    if antialias:
        cv2.fillPoly(canvas, [points], 255, cv2.LINE_AA, shift=4)
    else:
        cv2.fillPoly(canvas, [points], 1, cv2.LINE_8, shift=4)
    return canvas


def _fits(mask: np.ndarray, polygon: np.ndarray, instances: np.ndarray,
          objects: List[SceneObject]) -> bool:
    """Whether a candidate is visible enough and hides no object too much."""
    area = int(mask.sum())
    if (area < MIN_VISIBLE_PIXELS
            or area < MIN_INSIDE_FRACTION * cv2.contourArea(
                polygon.astype(np.float32))):
        return False
    n = len(objects) + 1
    left = (np.bincount(instances.ravel(), minlength=n) -
            np.bincount(instances[mask > 0], minlength=n))[1:]
    areas = np.array([obj.mask.sum() for obj in objects])
    return bool((left >= np.maximum(MIN_VISIBLE_PIXELS,
                                    MIN_VISIBLE_FRACTION * areas)).all())


def _paint(rng: np.random.Generator, canvas: np.ndarray, polygon: np.ndarray,
           mask: np.ndarray) -> None:
    """Blend a shaded, anti-aliased object of a contrasting colour in place."""
    covered = canvas[mask > 0].mean(0)
    candidates = rng.uniform(0, 255, (8, 3))
    distance = np.linalg.norm(candidates - covered, axis=1)
    ok = np.flatnonzero(distance >= MIN_CONTRAST)
    colour = candidates[ok[0] if ok.size else distance.argmax()]
    alpha = _fill(polygon, *mask.shape, antialias=True)
    x, y, w, h = cv2.boundingRect(alpha)
    region = canvas[y:y + h, x:x + w]  # a view: blending edits the canvas
    # Linear shading across the object in a random direction.
    centre = polygon.mean(0)
    radius = np.abs(polygon - centre).max() + 1
    theta = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[y:y + h, x:x + w].astype(np.float32)
    ramp = ((xs - centre[0]) * np.cos(theta) +
            (ys - centre[1]) * np.sin(theta)) / radius
    shade = 1 + rng.uniform(0, 0.25) * np.clip(ramp, -1, 1)
    layer = shade[..., None] * colour.astype(np.float32)
    region += alpha[y:y + h, x:x + w, None] / np.float32(255) * (
        layer - region)


def render_scene(rng: np.random.Generator, spec: SceneSpec) -> Scene:
    """Render a random scene of textured background and shape objects."""
    h = int(rng.integers(spec.height[0], spec.height[1], endpoint=True))
    w = int(rng.integers(spec.width[0], spec.width[1], endpoint=True))
    canvas = _background(rng, h, w)
    instances = np.zeros((h, w), np.uint8)
    objects: List[SceneObject] = []
    target = int(rng.integers(*spec.num_objects, endpoint=True))
    log_scale = np.log(spec.object_scale)
    for _ in range(MAX_PLACEMENT_TRIES):
        if len(objects) == target:
            break
        label = int(rng.integers(len(SHAPE_CLASSES)))
        size = np.exp(rng.uniform(*log_scale)) * min(h, w)
        centre = rng.uniform((0, 0), (w, h))
        polygon = _SHAPE_BUILDERS[label](rng, size / 2) + centre
        mask = _fill(polygon, h, w, antialias=False)
        if not _fits(mask, polygon, instances, objects):
            continue
        _paint(rng, canvas, polygon, mask)
        objects.append(SceneObject(label, polygon, mask.astype(bool)))
        instances[mask > 0] = len(objects)
    if len(objects) < spec.num_objects[0]:
        raise RuntimeError(f'placed only {len(objects)} objects')
    return Scene(_add_noise(rng, canvas), objects, instances)


def render_object(rng: np.random.Generator, label: int) -> Scene:
    """Render one large object of ``CLS_CLASSES[label]`` on smooth colour
    blotches, in an image of ``CLS_SIZE``.

    Unlike the scenes, the object keeps its builder's orientation (only the
    triangle and the cross turn) and the background has no stripes: with
    both, a MobileNetV2 trained from scratch learns the classes too slowly
    for a demo of minutes (docs/datasets.md).
    """
    h, w = (int(n) for n in rng.integers(*CLS_SIZE, size=2, endpoint=True))
    canvas = _blotches(rng, h, w)
    polygon = _SHAPE_BUILDERS[label](rng, 1.0)
    low, high = polygon.min(0), polygon.max(0)
    side = np.exp(rng.uniform(*np.log(CLS_OBJECT_SCALE))) * min(h, w)
    scale = side / (high - low).max()
    overhang = CLS_MAX_OVERHANG * side
    offset = rng.uniform(-scale * low - overhang,
                         np.array([w - 1, h - 1]) - scale * high + overhang)
    polygon = scale * polygon + offset
    mask = _fill(polygon, h, w, antialias=False)
    _paint(rng, canvas, polygon, mask)
    return Scene(_add_noise(rng, canvas),
                 [SceneObject(label, polygon, mask.astype(bool))], mask)


def _add_noise(rng: np.random.Generator, canvas: np.ndarray) -> np.ndarray:
    """Add Gaussian pixel noise and quantise to uint8."""
    canvas += rng.uniform(3, 10) * rng.standard_normal(canvas.shape,
                                                       np.float32)
    return np.clip(np.round(canvas), 0, 255).astype(np.uint8)


def _scene_rng(seed: int, dataset: str, split: str,
               index: int) -> np.random.Generator:
    """Independent generator per image, stable across runs and platforms."""
    return np.random.default_rng(
        [seed, zlib.crc32(dataset.encode()),
         zlib.crc32(split.encode()), index])


# --------------------------------------------------------------------------
# File helpers
# --------------------------------------------------------------------------
def _write_jpeg(path: Path, image: np.ndarray) -> None:
    cv2.imwrite(
        str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
        [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])


def _write_png(path: Path, image: np.ndarray) -> None:
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(path), image)


def _contour(mask: np.ndarray) -> np.ndarray:
    """Outer contour of the (connected) mask as ``(N, 2)`` int pixel coords."""
    contours, _ = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return max(contours, key=cv2.contourArea).reshape(-1, 2)


def _write_lines(path: Path, lines: List[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(''.join(f'{line}\n' for line in lines))


def _voc_xml(folder: str, file_name: str, scene: Scene) -> ET.ElementTree:
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


class Progress:
    """Count a job's images; past ``PROGRESS_AFTER_SECONDS``, print
    ``done/total`` and an ETA each time another tenth is done."""

    def __init__(self, name: str, total: int) -> None:
        self.name, self.total = name, total
        self.done, self.tenths = 0, 0
        self.start = time.perf_counter()

    def track(self, indices: range) -> Iterator[int]:
        """Yield ``indices``, counting each one as an image done."""
        for index in indices:
            yield index
            self.done += 1
            tenths = self.done * 10 // self.total
            if tenths == self.tenths:
                continue
            self.tenths = tenths
            elapsed = time.perf_counter() - self.start
            if elapsed >= PROGRESS_AFTER_SECONDS and self.done < self.total:
                eta = elapsed * (self.total - self.done) / self.done
                print(f'{self.name}: {self.done}/{self.total} images, '
                      f'{elapsed:.0f}s elapsed, ETA {eta:.0f}s', flush=True)


# --------------------------------------------------------------------------
# Dataset writers: each gets its root, {'train': n, 'val': m}, the seed and
# a Progress to draw its image indices from, and returns the number of
# objects written.
# --------------------------------------------------------------------------
def write_coco(root: Path, counts: Dict[str, int], seed: int,
               progress: Progress) -> int:
    """COCO detection: ``{split}/*.jpg`` + ``annotations/instances_{split}``."""
    categories = [
        dict(id=i + 1, name=name, supercategory='shape')
        for i, name in enumerate(SHAPE_CLASSES)
    ]
    (root / 'annotations').mkdir(parents=True)
    num_objects = 0
    for split, count in counts.items():
        (root / split).mkdir()
        images, annotations = [], []
        for index in progress.track(range(count)):
            scene = render_scene(_scene_rng(seed, 'coco', split, index),
                                 DET_SCENE)
            image_id = index + 1
            file_name = f'{image_id:06d}.jpg'
            _write_jpeg(root / split / file_name, scene.image)
            h, w = scene.instances.shape
            images.append(
                dict(id=image_id, file_name=file_name, width=w, height=h))
            for obj in scene.objects:
                x0, y0, x1, y1 = obj.box
                annotations.append(
                    dict(
                        id=len(annotations) + 1,
                        image_id=image_id,
                        category_id=obj.label + 1,
                        bbox=[x0, y0, x1 - x0, y1 - y0],
                        area=float(obj.mask.sum()),
                        iscrowd=0,
                        segmentation=[_contour(obj.mask).ravel().tolist()]))
        num_objects += len(annotations)
        coco = dict(
            info=dict(description='mmca synthetic shapes', version='1.0'),
            licenses=[],
            images=images,
            annotations=annotations,
            categories=categories)
        with open(root / 'annotations' / f'instances_{split}.json', 'w') as f:
            json.dump(coco, f, separators=(',', ':'))
    return num_objects


def write_voc_det(root: Path, counts: Dict[str, int], seed: int,
                  progress: Progress) -> int:
    """VOC2007 detection: ``JPEGImages``, ``Annotations`` and
    ``ImageSets/Main/{trainval,test}.txt`` (train -> trainval, val -> test)."""
    (root / 'JPEGImages').mkdir(parents=True)
    (root / 'Annotations').mkdir()
    num_objects, next_id = 0, 1
    for split, image_set in (('train', 'trainval'), ('val', 'test')):
        ids = []
        for index in progress.track(range(counts[split])):
            scene = render_scene(_scene_rng(seed, 'voc2007', split, index),
                                 DET_SCENE)
            img_id = f'{next_id:06d}'
            next_id += 1
            _write_jpeg(root / 'JPEGImages' / f'{img_id}.jpg', scene.image)
            _voc_xml('VOC2007', f'{img_id}.jpg', scene).write(
                root / 'Annotations' / f'{img_id}.xml', encoding='utf-8')
            ids.append(img_id)
            num_objects += len(scene.objects)
        _write_lines(root / 'ImageSets' / 'Main' / f'{image_set}.txt', ids)
    return num_objects


def write_cityscapes(root: Path, counts: Dict[str, int], seed: int,
                     progress: Progress) -> int:
    """Cityscapes: ``leftImg8bit/{split}/<city>/<stem>_leftImg8bit.png`` and
    ``gtFine/...<stem>_gtFine_{labelTrainIds.png,polygons.json}``."""
    cities = {'train': ('aachen', 'bremen', 'hamburg'),
              'val': ('frankfurt', 'lindau')}
    num_objects = 0
    for split, count in counts.items():
        for index in progress.track(range(count)):
            scene = render_scene(
                _scene_rng(seed, 'cityscapes', split, index), CITYSCAPES_SCENE)
            city = cities[split][index % len(cities[split])]
            stem = f'{city}_{index // len(cities[split]):06d}_000019'
            image_dir = root / 'leftImg8bit' / split / city
            label_dir = root / 'gtFine' / split / city
            image_dir.mkdir(parents=True, exist_ok=True)
            label_dir.mkdir(parents=True, exist_ok=True)
            _write_png(image_dir / f'{stem}_leftImg8bit.png', scene.image)
            _write_png(label_dir / f'{stem}_gtFine_labelTrainIds.png',
                       scene.semantic_map())
            h, w = scene.instances.shape
            polygons = dict(
                imgHeight=h,
                imgWidth=w,
                objects=[
                    dict(
                        label=SHAPE_CLASSES[obj.label],
                        polygon=_contour(obj.mask).tolist())
                    for obj in scene.objects
                ])
            with open(label_dir / f'{stem}_gtFine_polygons.json', 'w') as f:
                json.dump(polygons, f, indent=4)
            num_objects += len(scene.objects)
    return num_objects


def write_voc_seg(root: Path, counts: Dict[str, int], seed: int,
                  progress: Progress) -> int:
    """VOC2012 segmentation: ``JPEGImages``, palette ``SegmentationClass``
    PNGs with 255 on object borders, ``ImageSets/Segmentation/{split}.txt``."""
    (root / 'JPEGImages').mkdir(parents=True)
    (root / 'SegmentationClass').mkdir()
    palette = voc_palette().ravel().tolist()
    kernel = np.ones((3, 3), np.uint8)
    num_objects, next_id = 0, 1
    for split, count in counts.items():
        ids = []
        for index in progress.track(range(count)):
            scene = render_scene(_scene_rng(seed, 'voc2012', split, index),
                                 VOC_SEG_SCENE)
            img_id = f'2012_{next_id:06d}'
            next_id += 1
            _write_jpeg(root / 'JPEGImages' / f'{img_id}.jpg', scene.image)
            label = scene.semantic_map()
            border = (cv2.dilate(scene.instances, kernel) !=
                      cv2.erode(scene.instances, kernel))
            label[border] = IGNORE_INDEX
            png = Image.fromarray(label)
            png.putpalette(palette)
            png.save(root / 'SegmentationClass' / f'{img_id}.png')
            ids.append(img_id)
            num_objects += len(scene.objects)
        _write_lines(root / 'ImageSets' / 'Segmentation' / f'{split}.txt', ids)
    return num_objects


def write_imagenet(root: Path, counts: Dict[str, int], seed: int,
                   progress: Progress) -> int:
    """ImageNet classification: ``train/<class>/<class>_<n>.JPEG``, flat
    ``val/ILSVRC2012_val_<n>.JPEG`` and ``meta/{split}.txt`` lines
    ``<file below split> <label>``. Classes take turns, so splits are
    balanced."""
    num_classes = len(CLS_CLASSES)
    for split, count in counts.items():
        lines = []
        for index in progress.track(range(count)):
            label = index % num_classes
            scene = render_object(
                _scene_rng(seed, 'imagenet', split, index), label)
            name = CLS_CLASSES[label]
            if split == 'train':
                file_name = f'{name}/{name}_{index // num_classes:06d}.JPEG'
            else:
                file_name = f'ILSVRC2012_val_{index + 1:08d}.JPEG'
            path = root / split / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_jpeg(path, scene.image)
            lines.append(f'{file_name} {label}')
        _write_lines(root / 'meta' / f'{split}.txt', lines)
    return sum(counts.values())


@dataclass(frozen=True)
class DatasetJob:
    """A dataset to generate: its task, folder below ``--out`` and writer."""
    task: str
    folder: str
    write: Callable[[Path, Dict[str, int], int, Progress], int]


JOBS = (
    DatasetJob('det', 'coco_shapes', write_coco),
    DatasetJob('det', 'VOCdevkit_shapes/VOC2007', write_voc_det),
    DatasetJob('seg', 'cityscapes_shapes', write_cityscapes),
    DatasetJob('seg', 'VOCdevkit_shapes/VOC2012', write_voc_seg),
    DatasetJob('cls', 'imagenet_shapes', write_imagenet),
)


def run_job(job: DatasetJob, out: Path, counts: Dict[str, int], seed: int,
            force: bool) -> None:
    """Generate one dataset unless it is already complete with these
    settings; an incomplete or differently made folder is replaced."""
    root = out / job.folder
    marker = root / COMPLETE_MARKER
    settings = dict(seed=seed, counts=counts)
    if not force and marker.is_file() and json.loads(
            marker.read_text()) == settings:
        print(f'{root}: already complete, skipped (use --force to redo)')
        return
    if root.exists():
        shutil.rmtree(root)
    progress = Progress(str(root), sum(counts.values()))
    num_objects = job.write(root, counts, seed, progress)
    marker.write_text(json.dumps(settings))
    print(f'{root}: wrote {counts["train"]} train + {counts["val"]} val '
          f'images, {num_objects} objects '
          f'({time.perf_counter() - progress.start:.1f}s)')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', type=Path, default=Path('data'),
                        help='output root (default: data)')
    parser.add_argument('--tasks', nargs='+', choices=tuple(DEFAULT_COUNTS),
                        default=list(DEFAULT_COUNTS),
                        help='det: COCO + VOC2007; seg: Cityscapes + VOC2012; '
                        'cls: ImageNet (default: all)')
    parser.add_argument('--seed', type=int, default=0,
                        help='non-negative base seed (default: 0)')
    parser.add_argument('--num-train', type=int,
                        help='train images per dataset (default: ' +
                        ', '.join(f'{task} {train}' for task, (train, _) in
                                  DEFAULT_COUNTS.items()) + ')')
    parser.add_argument('--num-val', type=int,
                        help='val/test images per dataset (default: ' +
                        ', '.join(f'{task} {val}' for task, (_, val) in
                                  DEFAULT_COUNTS.items()) + ')')
    parser.add_argument('--force', action='store_true',
                        help='regenerate datasets that are already complete')
    args = parser.parse_args()
    if args.seed < 0:
        parser.error('--seed must be non-negative')
    return args


def main() -> None:
    args = parse_args()
    for job in JOBS:
        if job.task not in args.tasks:
            continue
        num_train, num_val = DEFAULT_COUNTS[job.task]
        counts = dict(
            train=num_train if args.num_train is None else args.num_train,
            val=num_val if args.num_val is None else args.num_val)
        run_job(job, args.out, counts, args.seed, args.force)


if __name__ == '__main__':
    main()
