"""tools/analysis_tools/visualize_attention.py as a command, on random weights
saved here; the panels themselves:
tests/test_visualization/test_attention_panels.py."""
import cv2
import pytest
from tool_process import error_line, run_tool

TOOL = 'tools/analysis_tools/visualize_attention.py'
pytestmark = pytest.mark.slow  # each test starts the tool


def test_as_a_command_writes_the_png(repo_root, tmp_path, shapes_image,
                                     random_checkpoint):
    weights, _ = random_checkpoint('configs/demo/mbv2_ca_shapes_cls.py')
    out = tmp_path / 'attention.png'
    result = run_tool([TOOL, 'configs/demo/mbv2_ca_shapes_cls.py', weights,
                       shapes_image, '--out', str(out), '--channels-last'],
                      repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'wrote {out}: 16 attention layers' in result.stdout
    assert cv2.imread(str(out)) is not None


def test_missing_image_is_one_error_line(repo_root, tmp_path,
                                         random_checkpoint):
    config = 'configs/demo/mbv2_ca_shapes_cls.py'
    weights, _ = random_checkpoint(config)
    result = run_tool([TOOL, config, weights, 'no_such.png',
                       '--out', str(tmp_path / 'out.png')], repo_root)
    assert error_line(result) == 'error: image no_such.png does not exist'
    assert not (tmp_path / 'out.png').exists()
