"""tools/deployment/pytorch2onnx.py: export, graph check and onnxruntime
round trip at a second batch size and input size; the CA block's default
export form."""
import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from tool_process import error_line, run_tool

from mmca.deployment import export_onnx
from mmca.models import CoordAttention

TOOL = 'tools/deployment/pytorch2onnx.py'


def run(repo_root, *args):
    return run_tool([TOOL, *args], repo_root)


def test_ca_block_exports_without_adaptive_pooling(tmp_path):
    module = CoordAttention(32).eval()
    torch.nn.init.uniform_(module.bn1.running_mean, -0.2, 0.2)
    path = str(tmp_path / 'ca.onnx')
    export_onnx(module, path, (1, 32, 12, 10))
    ops = {n.op_type for n in onnx.load(path).graph.node}
    assert 'ReduceMean' in ops
    assert not ops & {'AveragePool', 'GlobalAveragePool', 'ATen'}
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    x = torch.randn(3, 32, 7, 15)          # another batch, H and W
    with torch.no_grad():
        want = module(x).numpy()
    got = session.run(None, {'input': x.numpy()})[0]
    assert np.abs(got - want).max() < 1e-5


def test_ca_exports_per_strip_without_shape_arithmetic(tmp_path):
    """The export form: each strip through the shared transform on its own,
    so no op computes split sizes from x's shape, and one Mul by the full
    gate touches x."""
    module = CoordAttention(32).eval()
    path = str(tmp_path / 'ca.onnx')
    export_onnx(module, path, (1, 32, 12, 10))
    ops = [n.op_type for n in onnx.load(path).graph.node]
    assert not set(ops) & {'Concat', 'Split', 'Slice', 'Gather', 'Shape'}
    assert ops.count('ReduceMean') == 2 and ops.count('Mul') == 2


def test_ca_with_batch_statistics_exports_the_joint_transform(tmp_path):
    """Per strip equals joint only for a norm on running statistics; GN
    normalises over both strips at once and keeps the joint form."""
    module = CoordAttention(32, norm_cfg=dict(type='GN', num_groups=4)).eval()
    torch.nn.init.uniform_(module.bn1.weight, 0.5, 2.0)
    path = str(tmp_path / 'ca_gn.onnx')
    export_onnx(module, path, (1, 32, 12, 10))
    assert 'Concat' in {n.op_type for n in onnx.load(path).graph.node}
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    x = torch.randn(2, 32, 9, 14)
    with torch.no_grad():
        want = module(x).numpy()
    got = session.run(None, {'input': x.numpy()})[0]
    assert np.abs(got - want).max() < 1e-5


@pytest.mark.slow
@pytest.mark.parametrize('config,shape,outputs', [
    ('configs/ssdlite_mbv2_ca_coco.py', ['128', '160'], 12),
    ('configs/deeplabv3_mbv2_ca_d8_cityscapes.py', ['96', '128'], 1),
])
def test_full_models_round_trip(repo_root, tmp_path, config, shape, outputs):
    out = tmp_path / 'model.onnx'
    result = run(repo_root, config, '--out', str(out), '--shape', *shape)
    assert result.returncode == 0, result.stderr
    assert f'{outputs} outputs' in result.stdout
    assert 'no fixed-size pooling' in result.stdout
    h, w = map(int, shape)
    for probe in (f'1x3x{h}x{w}', f'2x3x{h + 32}x{w - 32}'):
        line = next(line for line in result.stdout.splitlines()
                    if probe in line)
        diff = float(line.split('max abs diff ')[1].split()[0])
        scale = float(line.split('outputs up to ')[1].rstrip(')'))
        assert diff <= 1e-4 and scale > 0
    assert 'ok: within 1e-04' in result.stdout
    graph = onnx.load(str(out)).graph
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'batch'


@pytest.mark.slow
def test_static_shape_export_stays_in_nchwc(repo_root, tmp_path):
    out = tmp_path / 'static.onnx'
    result = run(repo_root, 'configs/ssdlite_mbv2_ca_coco.py', '--out',
                 str(out), '--shape', '128', '128', '--static-shape')
    assert result.returncode == 0, result.stderr
    assert 'avgpool strips, resize gate, mid to x16' in result.stdout
    assert 'no NCHWc reorders beside CA blocks' in result.stdout
    assert 'ok: within 1e-04' in result.stdout
    dims = onnx.load(str(out)).graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [1, 3, 128, 128]


@pytest.mark.slow
def test_backbone_only_with_checkpoint(repo_root, tmp_path):
    from mmengine.config import Config

    from mmca.apis import build_inference_model
    cfg = Config.fromfile(
        f'{repo_root}/configs/demo/ssdlite_mbv2_ca_shapes.py')
    model = build_inference_model(cfg)
    ckpt = tmp_path / 'weights.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    out = tmp_path / 'backbone.onnx'
    result = run(repo_root, 'configs/demo/ssdlite_mbv2_ca_shapes.py',
                 str(ckpt), '--backbone-only', '--out', str(out),
                 '--shape', '64', '96')
    assert result.returncode == 0, result.stderr
    assert '2 outputs' in result.stdout


@pytest.mark.slow
def test_mismatched_checkpoint_is_a_clear_error(repo_root, tmp_path):
    ckpt = tmp_path / 'other.pth'
    torch.save({'state_dict': {'conv.weight': torch.zeros(1)}}, ckpt)
    result = run(repo_root, 'configs/ssdlite_mbv2_ca_coco.py', str(ckpt),
                 '--out', str(tmp_path / 'x.onnx'), '--shape', '64', '64')
    assert 'does not match the model' in error_line(result)
