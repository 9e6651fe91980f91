"""How the writers put images and file lists on disk.

Images arrive as RGB and are written through OpenCV, which takes BGR; every
JPEG of every set has the same quality, so a set's files depend only on
its seed and counts.
"""
from pathlib import Path
from typing import List

import cv2
import numpy as np

JPEG_QUALITY = 90


def write_jpeg(path: Path, image: np.ndarray) -> None:
    """Write an ``(H, W, 3)`` uint8 RGB image as a JPEG."""
    cv2.imwrite(
        str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
        [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])


def write_png(path: Path, image: np.ndarray) -> None:
    """Write an ``(H, W, 3)`` RGB image or an ``(H, W)`` label map as PNG."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(path), image)


def write_lines(path: Path, lines: List[str]) -> None:
    """Write ``lines``, each ended by a newline, making the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(''.join(f'{line}\n' for line in lines))
