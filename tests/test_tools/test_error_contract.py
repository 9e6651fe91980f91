"""Every tool reports bad input the same way: one ``error:`` line, exit 2."""
import pytest
from tool_process import error_line, run_tool

from mmca.cli import BAD_INPUT_STATUS

MISSING = 'configs/no_such_config.py'
pytestmark = pytest.mark.slow  # each test starts a tool


@pytest.mark.parametrize('args,message', [
    (['tools/train.py', MISSING], f'config file {MISSING} does not exist'),
    (['tools/test.py', MISSING, 'x.pth'],
     f'config file {MISSING} does not exist'),
    (['tools/analysis_tools/get_flops.py', MISSING],
     f'config file {MISSING} does not exist'),
    (['tools/analysis_tools/benchmark.py', 'model', MISSING,
      'configs/ssdlite_mbv2_coco.py'],
     f'config file {MISSING} does not exist'),
    (['tools/analysis_tools/benchmark.py', 'model',
      'configs/ssdlite_mbv2_ca_coco.py', 'configs/ssdlite_mbv2_coco.py',
      '--backend', 'ncnn', '--int8'], 'ncnn has no INT8 path in mmca'),
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
    assert BAD_INPUT_STATUS == 2
    line = error_line(run_tool(args, repo_root))
    assert message in line, line


def test_an_ncnn_layer_that_cannot_be_built_is_one_error_line(
        repo_root, tmp_path, monkeypatch):
    # a fresh cache and no way to fetch ncnn's sources: loading the fused
    # export needs mmca's ncnn layer, which cannot be built
    monkeypatch.setenv('MMCA_CACHE_DIR', str(tmp_path / 'cache'))
    monkeypatch.setenv('MMCA_NCNN_SOURCE', str(tmp_path / 'missing.tar.gz'))
    line = error_line(run_tool([
        'tools/analysis_tools/benchmark.py', 'model',
        'configs/mbv2_ca_imagenet.py', 'configs/mbv2_imagenet.py',
        '--backend', 'ncnn', '--shape', '64', '64', '--rounds', '1',
        '--repeats', '1', '--out-dir', str(tmp_path / 'out')
    ], repo_root))
    assert "holds mmca's fused CoordAttention layers" in line, line
    assert 'MMCA_NCNN_SOURCE' in line, line
