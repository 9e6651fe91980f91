"""A picture for the visualization tests."""
import cv2
import numpy as np
import pytest


@pytest.fixture
def shapes_image(tmp_path) -> str:
    """Two shapes on a dark ground, not square, as an image file (as
    tests/test_tools/conftest.py draws it for the tools)."""
    image = np.full((80, 96, 3), 30, np.uint8)
    cv2.circle(image, (40, 35), 20, (200, 180, 40), -1)
    cv2.rectangle(image, (60, 50), (90, 75), (40, 200, 220), -1)
    path = tmp_path / 'shapes.png'
    cv2.imwrite(str(path), image)
    return str(path)
