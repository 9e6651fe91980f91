"""What the renderer makes: a scene's settings, its objects and its image."""
from dataclasses import dataclass
from typing import List, Tuple

import cv2
import numpy as np


@dataclass(frozen=True)
class SceneSpec:
    """Ranges (inclusive) a scene is sampled from.

    ``object_scale`` is the object size relative to the shorter image side.
    """
    height: Tuple[int, int]
    width: Tuple[int, int]
    object_scale: Tuple[float, float]
    num_objects: Tuple[int, int]


@dataclass
class SceneObject:
    """One drawn object.

    Attributes:
        label: Index into ``CLS_CLASSES`` (``SHAPE_CLASSES`` in scenes).
        polygon: ``(N, 2)`` float vertices (x, y); may leave the image.
        mask: ``(H, W)`` bool, the full shape clipped to the image, ignoring
            occlusion.
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

    def contour(self) -> np.ndarray:
        """Outer contour of the (connected) mask as ``(N, 2)`` int pixel
        coordinates ``(x, y)``: the polygon the annotations store."""
        contours, _ = cv2.findContours(
            self.mask.astype(np.uint8), cv2.RETR_EXTERNAL,
            cv2.CHAIN_APPROX_SIMPLE)
        return max(contours, key=cv2.contourArea).reshape(-1, 2)


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
