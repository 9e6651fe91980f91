"""tools/analysis_tools/visualize_attention.py as a command, on random weights
saved here; the panels themselves:
tests/test_visualization/test_attention_panels.py."""
import subprocess
import sys

import cv2

TOOL = 'tools/analysis_tools/visualize_attention.py'


def run(repo_root, *args):
    return subprocess.run([sys.executable, TOOL, *args], cwd=repo_root,
                          capture_output=True, text=True)


def test_as_a_command_writes_the_png(repo_root, tmp_path, shapes_image,
                                     random_checkpoint):
    weights, _ = random_checkpoint('configs/demo/mbv2_ca_shapes_cls.py')
    out = tmp_path / 'attention.png'
    result = run(repo_root, 'configs/demo/mbv2_ca_shapes_cls.py', weights,
                 shapes_image, '--out', str(out), '--channels-last')
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'wrote {out}: 16 attention layers' in result.stdout
    assert cv2.imread(str(out)) is not None


def test_missing_image_is_one_error_line(repo_root, tmp_path,
                                         random_checkpoint):
    config = 'configs/demo/mbv2_ca_shapes_cls.py'
    weights, _ = random_checkpoint(config)
    result = run(repo_root, config, weights, 'no_such.png',
                 '--out', str(tmp_path / 'out.png'))
    assert result.returncode == 2 and 'Traceback' not in result.stderr
    errors = [line for line in result.stderr.splitlines()
              if line.startswith('error: ')]
    assert errors == ['error: image no_such.png does not exist']
    assert not (tmp_path / 'out.png').exists()
