"""mmca.visualization.cam: Grad-CAM of a classifier and a segmentor with
seeded random weights."""
import os.path as osp

import cv2
import matplotlib
import numpy as np
import pytest
import torch

from mmca.apis import load_inference_model, load_test_image
from mmca.cli import load_config
from mmca.utils import InputError
from mmca.visualization import (cam_figure, class_activation_map,
                                default_target_layer, draw_cam, named_layers)
from mmca.visualization.map_over_image import MAP_ALPHA

CLS_CONFIG = 'configs/demo/mbv2_ca_shapes_cls.py'
SEG_CONFIG = 'configs/demo/deeplabv3_mbv2_ca_shapes.py'


@pytest.mark.parametrize('config,categories', [(CLS_CONFIG, (0, 1)),
                                               (SEG_CONFIG, (1, 2))],
                         ids=['classification', 'segmentation'])
def test_maps_are_not_constant_and_differ_by_class(config, categories,
                                                   repo_root, shapes_image):
    cfg = load_config(osp.join(repo_root, config))
    torch.manual_seed(0)
    model = load_inference_model(cfg, None)
    batch, image = load_test_image(cfg, model, shapes_image)
    layers = named_layers(model, [default_target_layer(model)])
    maps = []
    for category in categories:
        cam, explained = class_activation_map(model, batch['inputs'], layers,
                                              category)
        assert explained == category
        assert cam.shape == image.shape[:2] == batch['inputs'].shape[-2:]
        assert cam.max() - cam.min() > 0.5
        maps.append(cam)
    assert np.abs(maps[0] - maps[1]).max() > 0.1


def test_an_unknown_layer_is_an_input_error_naming_close_ones():
    model = torch.nn.Sequential()
    model.add_module('conv2', torch.nn.Conv2d(1, 1, 1))
    with pytest.raises(InputError, match=r"no layer 'conv3' \(close: conv2"):
        named_layers(model, ['conv3'])


def test_picture_is_the_image_beside_its_map_over_the_gray_copy(tmp_path):
    """Left: the image as it is; right: the map over the image's gray copy
    at MAP_ALPHA, high values yellow and low ones purple (viridis), as
    its colorbar from 0 to 1 shows them."""
    image = np.full((40, 60, 3), 128, np.uint8)
    image[:5, :5] = (255, 0, 0)                   # a red corner
    cam = np.zeros((40, 60), np.float32)
    cam[:, :30] = 1.0
    fig = cam_figure(image, cam, 'title')
    shown, over_gray, colorbar_axes = fig.axes
    np.testing.assert_array_equal(shown.images[0].get_array(), image)
    background, drawn = over_gray.images
    assert background.get_cmap().name == 'gray'
    assert background.get_array()[0, 0] == 76     # 0.299 * 255: red's luma
    assert background.get_array()[20, 30] == 128
    assert (drawn.norm.vmin, drawn.norm.vmax) == (0, 1)
    assert (drawn.colorbar.vmin, drawn.colorbar.vmax) == (0, 1)
    assert drawn.colorbar.ax is colorbar_axes
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float)
    box = over_gray.get_window_extent()           # origin bottom left
    row = round(pixels.shape[0] - (box.y0 + box.y1) / 2)
    for x, value in ((box.x0 + box.width / 4, 1.0),
                     (box.x0 + box.width * 3 / 4, 0.0)):
        colour = np.array(matplotlib.colormaps['viridis'](value)[:3]) * 255
        expected = MAP_ALPHA * colour + (1 - MAP_ALPHA) * 128
        np.testing.assert_allclose(pixels[row, round(x)], expected, atol=3)
    out = tmp_path / 'cams' / 'cam.png'
    draw_cam(image, cam, 'title', str(out))
    width, height = fig.get_size_inches() * fig.dpi
    assert cv2.imread(str(out)).shape == (round(height), round(width), 3)
