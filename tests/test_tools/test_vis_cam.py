"""tools/analysis_tools/vis_cam.py (Grad-CAM) on random weights saved here."""
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

from mmca.apis import load_config, load_inference_model, load_test_image

pytest.importorskip('pytorch_grad_cam')

TOOL = 'tools/analysis_tools/vis_cam.py'
CLS_CONFIG = 'configs/demo/mbv2_ca_shapes_cls.py'
SEG_CONFIG = 'configs/demo/deeplabv3_mbv2_ca_shapes.py'


def run(repo_root, *args):
    return subprocess.run([sys.executable, TOOL, *args], cwd=repo_root,
                          capture_output=True, text=True)


@pytest.mark.parametrize('config,categories', [(CLS_CONFIG, (0, 1)),
                                               (SEG_CONFIG, (1, 2))],
                         ids=['classification', 'segmentation'])
def test_maps_are_not_constant_and_differ_by_class(config, categories,
                                                   shapes_image):
    from tools.analysis_tools.vis_cam import (class_activation_map,
                                              default_target_layer,
                                              named_layers)
    cfg = load_config(config)
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


def test_writes_the_picture_of_the_predicted_class(
        repo_root, tmp_path, shapes_image, random_checkpoint):
    weights, _ = random_checkpoint(CLS_CONFIG)
    out = tmp_path / 'cam.png'
    result = run(repo_root, CLS_CONFIG, weights, shapes_image,
                 '--out', str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'gradcam of class' in result.stdout
    assert 'at backbone.conv2' in result.stdout
    picture = cv2.imread(str(out))
    assert picture.shape == (64, 64, 3) and picture.std() > 10


@pytest.mark.parametrize('args,message', [
    (['configs/ssdlite_mbv2_ca_coco.py', 'w.pth', 'x.png'],
     'runs mmpretrain and mmseg configs'),
    ([CLS_CONFIG, 'no_such.pth', 'x.png'],
     'checkpoint no_such.pth does not exist'),
])
def test_bad_input_is_one_error_line(args, message, repo_root, tmp_path):
    result = run(repo_root, *args, '--out', str(tmp_path / 'cam.png'))
    assert result.returncode == 2 and 'Traceback' not in result.stderr
    errors = [line for line in result.stderr.splitlines()
              if line.startswith('error: ')]
    assert len(errors) == 1 and message in errors[0], result.stderr[-2000:]
