"""mmca.visualization.cam: Grad-CAM of a classifier and a segmentor with
seeded random weights."""
import os.path as osp

import numpy as np
import pytest
import torch

from mmca.apis import load_inference_model, load_test_image
from mmca.cli import load_config
from mmca.utils import InputError
from mmca.visualization import (cam_overlay, class_activation_map,
                                default_target_layer, named_layers)

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


def test_overlay_is_the_image_coloured_hot_where_the_map_is_high():
    image = np.full((4, 6, 3), 128, np.uint8)
    cam = np.zeros((4, 6), np.float32)
    cam[:, :3] = 1.0
    picture = cam_overlay(image, cam)
    assert picture.shape == image.shape and picture.dtype == np.uint8
    red, blue = picture[..., 0].astype(int), picture[..., 2].astype(int)
    assert (red[:, :3] > blue[:, :3]).all()       # RGB: hot is red
    assert (blue[:, 3:] > red[:, 3:]).all()       # cold is blue
