"""What the tests of the analysis tools share: a picture and weights."""
import cv2
import numpy as np
import pytest
import torch

from mmca.apis import build_inference_model, load_config
from mmca.models.attention import records_gates


@pytest.fixture
def shapes_image(tmp_path) -> str:
    """Two shapes on a dark ground, not square, as an image file."""
    image = np.full((80, 96, 3), 30, np.uint8)
    cv2.circle(image, (40, 35), 20, (200, 180, 40), -1)
    cv2.rectangle(image, (60, 50), (90, 75), (40, 200, 220), -1)
    path = tmp_path / 'shapes.png'
    cv2.imwrite(str(path), image)
    return str(path)


@pytest.fixture
def random_checkpoint(tmp_path):
    """``save(config)``: the config's model with seeded random weights,
    saved as a checkpoint; its path and number of attention layers."""
    def save(config: str):
        torch.manual_seed(0)
        model = build_inference_model(load_config(config))
        path = tmp_path / 'weights.pth'
        torch.save({'state_dict': model.state_dict()}, path)
        return str(path), sum(records_gates(m) for m in model.modules())
    return save
