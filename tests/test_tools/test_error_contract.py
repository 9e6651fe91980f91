"""Every tool reports bad input the same way: one ``error:`` line, exit 2."""
import subprocess
import sys

import pytest

from mmca.cli import BAD_INPUT_STATUS

MISSING = 'configs/no_such_config.py'


@pytest.mark.parametrize('args,message', [
    (['tools/train.py', MISSING], f'config file {MISSING} does not exist'),
    (['tools/test.py', MISSING, 'x.pth'],
     f'config file {MISSING} does not exist'),
    (['tools/analysis_tools/get_flops.py', MISSING],
     f'config file {MISSING} does not exist'),
    (['tools/analysis_tools/benchmark.py', 'model', MISSING,
      'configs/ssdlite_mbv2_coco.py'], f'config file {MISSING} does not exist'),
    (['tools/deployment/pytorch2onnx.py', MISSING, '--out', 'x.onnx'],
     f'config file {MISSING} does not exist'),
    (['tools/analysis_tools/visualize_attention.py', MISSING, 'x.pth', 'x.png',
      '--out', 'x.png'], f'config file {MISSING} does not exist'),
    (['tools/analysis_tools/vis_cam.py', MISSING, 'x.pth', 'x.png', '--out',
      'x.png'], f'config file {MISSING} does not exist'),
    (['tools/model_converters/coordattention_to_mmca.py', 'no_such.pth',
      'out.pth'], 'checkpoint no_such.pth does not exist'),
    (['tools/dataset_converters/cityscapes.py', 'no_such_dir'],
     'no_such_dir/gtFine does not exist'),
    (['tools/dataset_converters/voc_aug.py', 'no_such_dir', 'no_sbd'],
     'no_such_dir/VOC2012/SegmentationClass does not exist'),
])
def test_bad_input_is_one_error_line_and_status_2(args, message, repo_root,
                                                  tmp_path):
    result = subprocess.run([sys.executable, *args], cwd=repo_root,
                            capture_output=True, text=True)
    assert result.returncode == BAD_INPUT_STATUS == 2, result.stderr[-2000:]
    assert 'Traceback' not in result.stderr
    lines = [line for line in result.stderr.splitlines()
             if line.startswith('error: ')]
    assert len(lines) == 1 and message in lines[0], result.stderr[-2000:]
