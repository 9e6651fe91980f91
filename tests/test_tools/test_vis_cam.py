"""tools/analysis_tools/vis_cam.py (Grad-CAM) as a command, on random weights
saved here; the maps themselves: tests/test_visualization/test_cam.py."""
import re
import subprocess
import sys

import cv2
import pytest

from mmca.datasets.shapes import CLS_CLASSES

TOOL = 'tools/analysis_tools/vis_cam.py'
CLS_CONFIG = 'configs/demo/mbv2_ca_shapes_cls.py'


def run(repo_root, *args):
    return subprocess.run([sys.executable, TOOL, *args], cwd=repo_root,
                          capture_output=True, text=True)


def test_writes_the_picture_of_the_predicted_class(
        repo_root, tmp_path, shapes_image, random_checkpoint):
    weights, _ = random_checkpoint(CLS_CONFIG)
    out = tmp_path / 'cam.png'
    result = run(repo_root, CLS_CONFIG, weights, shapes_image,
                 '--out', str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    found = re.search(r'gradcam of class (\d) \((\w+)\) at backbone.conv2',
                      result.stdout)
    assert found, result.stdout           # the name from ShapesImageNet
    assert CLS_CLASSES[int(found.group(1))] == found.group(2)
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
