"""Draw a positions image: two crosses at the centres of :mod:`.layout`.

The crosses are the shapes sets' outline
(:mod:`mmca.datasets.shapes.polygons`; each turned at random), each of a
colour of its own that stands out from the background under it. The
background is smooth colour blotches and pixel noise.
"""
import cv2
import numpy as np

from mmca.datasets.shapes import CLS_CLASSES, Scene, SceneObject
from mmca.datasets.shapes.polygons import SHAPE_BUILDERS
from .layout import IMAGE_SIZE, OBJECT_RADIUS, sample_centres

#: What is drawn, as an index of ``CLS_CLASSES``.
CROSS = CLS_CLASSES.index('cross')
MIN_CONTRAST = 90.0  # RGB distance of a cross's colour to what it covers


def _background(rng: np.random.Generator) -> np.ndarray:
    """Smooth colour blotches, float32 ``(IMAGE_SIZE, IMAGE_SIZE, 3)``."""
    grid = rng.uniform(30, 225, (3, 3, 3)).astype(np.float32)
    return cv2.resize(grid, (IMAGE_SIZE, IMAGE_SIZE),
                      interpolation=cv2.INTER_CUBIC)


def _mask(polygon: np.ndarray) -> np.ndarray:
    """``polygon`` rasterised (sub-pixel precise, no anti-aliasing) into a
    bool ``(IMAGE_SIZE, IMAGE_SIZE)``."""
    canvas = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    cv2.fillPoly(canvas, [np.round(polygon * 16).astype(np.int32)], 1,
                 cv2.LINE_8, shift=4)
    return canvas.astype(bool)


def _colour(rng: np.random.Generator, covered: np.ndarray) -> np.ndarray:
    """A random colour at least ``MIN_CONTRAST`` from ``covered`` (the
    farthest of 8 tries if none is)."""
    candidates = rng.uniform(0, 255, (8, 3))
    distance = np.linalg.norm(candidates - covered, axis=1)
    ok = np.flatnonzero(distance >= MIN_CONTRAST)
    return candidates[ok[0] if ok.size else distance.argmax()]


def render_positions(rng: np.random.Generator, label: int) -> Scene:
    """An image whose two crosses line up as ``POSITION_CLASSES[label]``
    says.

    Returns a :class:`~mmca.datasets.shapes.Scene`: the uint8 RGB image,
    the two crosses (``SceneObject.label`` is ``CROSS``, an index of
    ``CLS_CLASSES``) and their instance map.
    """
    canvas = _background(rng)
    instances = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    objects = []
    for index, centre in enumerate(sample_centres(rng, label)):
        polygon = SHAPE_BUILDERS[CROSS](
            rng, rng.uniform(*OBJECT_RADIUS)) + centre
        mask = _mask(polygon)
        canvas[mask] = _colour(rng, canvas[mask].mean(0))
        instances[mask] = index + 1
        objects.append(SceneObject(CROSS, polygon, mask))
    canvas += rng.uniform(3, 8) * rng.standard_normal(canvas.shape,
                                                      np.float32)
    image = np.clip(np.round(canvas), 0, 255).astype(np.uint8)
    return Scene(image, objects, instances)
