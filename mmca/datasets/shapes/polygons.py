"""The outline of each shape class, as a polygon builder.

A builder takes the generator of the image and a radius and returns the
``(N, 2)`` float vertices ``(x, y)`` of one random instance, centred at the
origin and about ``radius`` from it. The random parts (aspect, arm widths,
rotation) are drawn from the generator in a fixed order, which keeps the
images of a seed the same.
"""
from typing import Callable, Tuple

import numpy as np

PolygonBuilder = Callable[[np.random.Generator, float], np.ndarray]


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


#: Indexed like CLS_CLASSES; the scenes draw from the first
#: ``len(SHAPE_CLASSES)``.
SHAPE_BUILDERS: Tuple[PolygonBuilder, ...] = (_circle, _square, _triangle,
                                              _cross, _star, _hexagon, _arrow,
                                              _ell)
