"""tools/analysis_tools/vis_cam.py (Grad-CAM) as a command, on random weights
saved here; the maps themselves: tests/test_visualization/test_cam.py."""
import re

import cv2
import pytest
from tool_process import error_line, run_tool

from mmca.datasets.shapes import CLS_CLASSES

TOOL = 'tools/analysis_tools/vis_cam.py'
CLS_CONFIG = 'configs/demo/mbv2_ca_shapes_cls.py'
pytestmark = pytest.mark.slow  # each test starts the tool


def test_writes_the_picture_of_the_predicted_class(
        repo_root, tmp_path, shapes_image, random_checkpoint):
    weights, _ = random_checkpoint(CLS_CONFIG)
    out = tmp_path / 'cam.png'
    result = run_tool([TOOL, CLS_CONFIG, weights, shapes_image,
                       '--out', str(out)], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    found = re.search(r'gradcam of class (\d) \((\w+)\) at backbone.conv2',
                      result.stdout)
    assert found, result.stdout           # the name from ShapesImageNet
    assert CLS_CLASSES[int(found.group(1))] == found.group(2)
    # the image beside its map, with a colorbar (mmca.visualization.cam)
    picture = cv2.imread(str(out))
    height, width, channels = picture.shape
    assert channels == 3 and width >= 2 * height and picture.std() > 10


@pytest.mark.parametrize('args,message', [
    (['configs/ssdlite_mbv2_ca_coco.py', 'w.pth', 'x.png'],
     'runs mmpretrain and mmseg configs'),
    ([CLS_CONFIG, 'no_such.pth', 'x.png'],
     'checkpoint no_such.pth does not exist'),
])
def test_bad_input_is_one_error_line(args, message, repo_root, tmp_path):
    result = run_tool([TOOL, *args, '--out', str(tmp_path / 'cam.png')],
                      repo_root)
    line = error_line(result)
    assert message in line, line
