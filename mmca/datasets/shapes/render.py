"""Render the images of the shapes sets.

Every image is a textured background (smooth colour blotches, stripes,
noise) with objects whose class is given by their *shape*; colours, sizes,
positions and rotations are random. :func:`render_scene` makes the
detection and segmentation images: several objects of ``SHAPE_CLASSES``
that may overlap and may be cut by the image border, placed so that each
keeps at least half of its in-image area visible. :func:`render_object`
makes the classification images: one large object of ``CLS_CLASSES``.

Each image draws from a generator of its own (:func:`scene_rng`), so an
image depends on the seed, its set, split and index only.
"""
import zlib
from typing import List

import cv2
import numpy as np

from .metainfo import SHAPE_CLASSES
from .polygons import SHAPE_BUILDERS
from .scene import Scene, SceneObject, SceneSpec

MIN_VISIBLE_PIXELS = 64  # smallest visible area an object may keep
MIN_VISIBLE_FRACTION = 0.5  # of its in-image area, after later occluders
MIN_INSIDE_FRACTION = 0.35  # of its full area that must lie in the image
MIN_CONTRAST = 90.0  # RGB distance of an object's colour to what it covers
MAX_PLACEMENT_TRIES = 200

DET_SCENE = SceneSpec((256, 400), (256, 400), (0.12, 0.45), (2, 6))
CITYSCAPES_SCENE = SceneSpec((256, 256), (512, 512), (0.2, 0.7), (2, 4))
VOC_SEG_SCENE = SceneSpec((256, 400), (256, 400), (0.2, 0.7), (2, 4))
# Classification images: one object, its longer box side this fraction of the
# shorter image side. At 96 px network input the smallest hexagon still has
# corners ~3 px off its circumcircle.
CLS_SIZE = (112, 144)  # range of the height and, apart, of the width
CLS_OBJECT_SCALE = (0.45, 0.8)
CLS_MAX_OVERHANG = 0.05  # of the object's box side, on any image border


def scene_rng(seed: int, dataset: str, split: str,
              index: int) -> np.random.Generator:
    """Independent generator per image, stable across runs and platforms."""
    return np.random.default_rng(
        [seed, zlib.crc32(dataset.encode()),
         zlib.crc32(split.encode()), index])


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


def _add_noise(rng: np.random.Generator, canvas: np.ndarray) -> np.ndarray:
    """Add Gaussian pixel noise and quantise to uint8."""
    canvas += rng.uniform(3, 10) * rng.standard_normal(canvas.shape,
                                                       np.float32)
    return np.clip(np.round(canvas), 0, 255).astype(np.uint8)


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
        polygon = SHAPE_BUILDERS[label](rng, size / 2) + centre
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

    The object's box leaves the image by at most ``CLS_MAX_OVERHANG`` of its
    side. Unlike the scenes, the object keeps its builder's orientation
    (only the triangle and the cross turn) and the background has no
    stripes: with both, a MobileNetV2 trained from scratch learns the
    classes too slowly for a demo of minutes (docs/datasets.md).
    """
    h, w = (int(n) for n in rng.integers(*CLS_SIZE, size=2, endpoint=True))
    canvas = _blotches(rng, h, w)
    polygon = SHAPE_BUILDERS[label](rng, 1.0)
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
