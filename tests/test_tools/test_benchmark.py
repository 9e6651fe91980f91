"""tools/analysis_tools/benchmark.py: tables, JSON and plots written and
read back. Speed goals live in the tool's output, not in timed tests."""
import json
import os
import os.path as osp

import pytest
from tool_process import error_line, run_tool

from mmca.benchmark.kernels import KERNELS
from mmca.benchmark.timing import median_ratio, time_side_by_side

TOOL = 'tools/analysis_tools/benchmark.py'
QUICK = ['--rounds', '3', '--repeats', '1', '--warmup', '1']


def run(repo_root, out_dir, target, *args):
    return run_tool([TOOL, target, *QUICK, '--out-dir', str(out_dir), *args],
                    repo_root)


@pytest.mark.slow
def test_block_eval_table_json_and_plot(repo_root, tmp_path):
    result = run(repo_root, tmp_path, 'block', '--shapes', '1x32x12x10',
                 '2x64x6x7')
    assert result.returncode == 0, result.stderr
    assert '| 1x32x12x10 |' in result.stdout
    assert 'ours / paper' in result.stdout
    with open(tmp_path / 'ca_block_eval.json') as f:
        rows = json.load(f)['rows']
    assert [r['shape'] for r in rows] == [[1, 32, 12, 10], [2, 64, 6, 7]]
    for row in rows:
        assert row['max_abs_diff'] < 1e-5
        assert set(row['ms']) == {'paper', 'timm', 'mmca', 'floor'}
        # The ratio is over the pair of rounds 0 and 1 (one in each order).
        rounds = row['rounds_ms']
        pair = (rounds['mmca'][0] + rounds['mmca'][1]) / (
            rounds['paper'][0] + rounds['paper'][1])
        assert abs(row['ratio']['paper'] - pair) < 1e-9
    assert osp.getsize(tmp_path / 'ca_block_eval.png') > 1000


@pytest.mark.slow
def test_block_train_measures_time_and_saved_memory(repo_root, tmp_path):
    result = run(repo_root, tmp_path, 'block', '--train', '--channels-last',
                 '--shapes', '4x32x16x16')
    assert result.returncode == 0, result.stderr
    with open(tmp_path / 'ca_block_train_nhwc.json') as f:
        row = json.load(f)['rows'][0]
    assert row['channels_last']
    # The paper's x * a_w * a_h keeps x * a_w (one more input-sized tensor)
    # for backward; the fused gate keeps only x and the gates.
    x_mib = 4 * 32 * 16 * 16 * 4 / 2**20
    assert row['saved_mib']['paper'] - row['saved_mib']['mmca'] > 0.9 * x_mib


@pytest.mark.slow
def test_model_against_baseline(repo_root, tmp_path):
    result = run(repo_root, tmp_path, 'model',
                 'configs/ssdlite_mbv2_ca_coco.py',
                 'configs/ssdlite_mbv2_coco.py', '--shape', '96', '96',
                 '--batch-sizes', '1', '2')
    assert result.returncode == 0, result.stderr
    assert 'input 3x96x96' in result.stdout
    stem = 'ssdlite_mbv2_ca_coco_vs_ssdlite_mbv2_coco'
    with open(tmp_path / f'{stem}.json') as f:
        data = json.load(f)
    assert data['input_shape'] == [96, 96]
    assert set(data['batches']) == {'1', '2'}
    for batch, row in data['batches'].items():
        for name, ms in row['ms'].items():
            assert abs(row['images_per_s'][name]
                       - int(batch) / ms * 1e3) < 1e-6
    assert osp.getsize(tmp_path / f'{stem}.png') > 1000


@pytest.mark.slow
def test_bad_shape_and_config_are_clear_errors(repo_root, tmp_path):
    result = run(repo_root, tmp_path, 'block', '--shapes', '1x32x12')
    # argparse's own report: its usage, then 'benchmark.py block: error:'
    assert result.returncode == 2 and 'Traceback' not in result.stderr
    assert 'expected NxCxHxW' in result.stderr
    result = run(repo_root, tmp_path, 'model', 'configs/nope.py',
                 'configs/ssdlite_mbv2_coco.py')
    assert 'does not exist' in error_line(result)


def test_rounds_alternate_the_order_and_ratios_pair_them():
    calls = []
    samples = time_side_by_side(
        {'a': lambda: calls.append('a'), 'b': lambda: calls.append('b')},
        rounds=4, repeats=1, warmup=0)
    assert calls == ['a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']
    assert [len(v) for v in samples.values()] == [4, 4]
    # a takes twice b's time, and running first costs 10% more: a fixed
    # order would give 2.2, each pair of rounds cancels the bias.
    first = 1.1
    biased = {'a': [2.0 * first, 2.0] * 2, 'b': [1.0, first] * 2}
    assert abs(median_ratio(biased, 'a', 'b') - 2.0) < 1e-12


@pytest.mark.slow
def test_kernels_table_and_json(repo_root, tmp_path):
    result = run(repo_root, tmp_path, 'kernels', '--shapes', '2x16x9x7')
    assert result.returncode == 0, result.stderr
    assert '| 2x16x9x7 |' in result.stdout
    with open(tmp_path / 'kernels.json') as f:
        row, = json.load(f)['rows']
    assert row['fused'] and row['shape'] == [2, 16, 9, 7]
    for kernel in KERNELS:
        assert set(row['ms'][kernel]) == {'kernel', 'plain'}
        assert row['ratio'][kernel] > 0


def test_plain_backward_forms_are_autograd_s():
    import torch

    from mmca.benchmark.kernels import (grad_gates_reference,
                                        grad_input_reference)
    from mmca.ops import coord_gate_reference, strip_mean_reference
    x = torch.randn(2, 8, 5, 6, requires_grad=True)
    g_h = torch.rand(2, 8, 5, requires_grad=True)
    g_w = torch.rand(2, 8, 6, requires_grad=True)
    dy, dz = torch.randn(2, 8, 5, 6), torch.randn(2, 8, 11)
    want = torch.autograd.grad(
        [coord_gate_reference(x, g_h, g_w), strip_mean_reference(x)],
        (x, g_h, g_w), [dy, dz])
    got = (grad_input_reference(dy, g_h.detach(), g_w.detach(), dz),
           *grad_gates_reference(dy, x.detach(), g_h.detach(), g_w.detach()))
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w)


@pytest.mark.slow
def test_model_against_baseline_in_onnxruntime(repo_root, tmp_path):
    import numpy as np
    import onnxruntime as ort
    result = run(repo_root, tmp_path, 'model',
                 'configs/ssdlite_mbv2_ca_coco.py',
                 'configs/ssdlite_mbv2_coco.py', '--shape', '96', '96',
                 '--batch-sizes', '1', '2', '--backend', 'onnxruntime',
                 '--profile')
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'onnxruntime, input 3x96x96' in result.stdout
    assert 'onnxruntime ms per run at batch 1' in result.stdout
    stem = 'ssdlite_mbv2_ca_coco_vs_ssdlite_mbv2_coco_onnxruntime'
    with open(tmp_path / f'{stem}.json') as f:
        data = json.load(f)
    assert data['backend'] == 'onnxruntime'
    assert set(data['batches']) == {'1', '2'}
    assert data['batches']['1']['ratio']['configs/ssdlite_mbv2_coco.py'] == 1
    ca = data['profile']['configs/ssdlite_mbv2_ca_coco.py']
    plain = data['profile']['configs/ssdlite_mbv2_coco.py']
    assert ca['ReduceMean'] > 0 and ca['Mul'] > 0 and plain['Conv'] > 0
    assert not {'ReduceMean', 'Mul'} & set(plain)
    # Residual Adds go inside the projection Conv in both graphs: the
    # exported shapes let ONNX Runtime prove both summands alike.
    assert 'Add' not in ca and 'Add' not in plain
    # the timed graphs are the exported ones, with dynamic batch and size
    for name in ('ssdlite_mbv2_ca_coco', 'ssdlite_mbv2_coco'):
        session = ort.InferenceSession(str(tmp_path / f'{name}.onnx'),
                                       providers=['CPUExecutionProvider'])
        outputs = session.run(None, {'input': np.zeros((2, 3, 128, 96),
                                                       np.float32)})
        assert len(outputs) == 12 and outputs[0].shape[0] == 2
    assert osp.getsize(tmp_path / f'{stem}.png') > 1000


@pytest.mark.slow
def test_int8_models_are_timed_beside_fp32(repo_root, tmp_path):
    """--int8 quantizes both exports and times the four; INT8 ratios are
    over the INT8 baseline. (The backend's quantizer is the only part that
    differs by runtime: tests/test_deployment/test_quantization.py.)"""
    backend = 'onnxruntime'
    result = run(repo_root, tmp_path, 'model',
                 'configs/ssdlite_mbv2_ca_coco.py',
                 'configs/ssdlite_mbv2_coco.py', '--shape', '96', '96',
                 '--batch-sizes', '1', '--backend', backend, '--int8')
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'both in INT8' in result.stdout
    stem = f'ssdlite_mbv2_ca_coco_vs_ssdlite_mbv2_coco_{backend}_int8'
    with open(tmp_path / f'{stem}.json') as f:
        batch = json.load(f)['batches']['1']
    ca = 'configs/ssdlite_mbv2_ca_coco.py'
    plain = 'configs/ssdlite_mbv2_coco.py'
    assert batch['ratio'][f'{plain} (INT8)'] == 1
    assert 0 < batch['ratio'][f'{ca} (INT8)'] < float('inf')
    # the INT8 files timed are quantized ones, near their fp32 outputs
    for name in (ca, plain):
        parity = batch['parity'][f'{name} (INT8)']
        assert 0 < parity['max_abs_diff'] < 0.2 * parity['max_abs_output']
    assert osp.getsize(tmp_path / f'{stem}.png') > 1000


@pytest.mark.slow
@pytest.mark.parametrize('backend,static,profiled', [
    ('onnxruntime', True, True), ('openvino', False, True),
    ('ncnn', False, False), ('mnn', True, True), ('tflite', True, False)])
def test_model_against_baseline_in_each_runtime(repo_root, tmp_path, backend,
                                                static, profiled):
    """The runtime's files are written, timed at the batches it runs, and
    profiled where it has a profiler Python reaches."""
    from mmca.deployment import BACKENDS
    result = run(repo_root, tmp_path, 'model',
                 'configs/ssdlite_mbv2_ca_coco.py',
                 'configs/ssdlite_mbv2_coco.py', '--shape', '64', '64',
                 '--batch-sizes', '1', '2', '--backend', backend, '--profile',
                 *(['--static-shape'] if static else []))
    assert result.returncode == 0, result.stderr[-2000:]
    runtime = BACKENDS[backend]
    # conftest.py sets OMP_WAIT_POLICY=PASSIVE unless the caller set it
    passive = os.environ.get('OMP_WAIT_POLICY', '').upper() == 'PASSIVE'
    assert ('NOTE: OMP_WAIT_POLICY=PASSIVE makes' in result.stdout) == (
        passive and runtime.openmp)
    stem = (f'ssdlite_mbv2_ca_coco_vs_ssdlite_mbv2_coco_{backend}' +
            ('_static' if static or not runtime.dynamic_shapes else ''))
    with open(tmp_path / f'{stem}.json') as f:
        data = json.load(f)
    assert data['ca_form'] == str(runtime.form(data['static_shape']))
    assert set(data['batches']) == ({'1', '2'} if runtime.batches else {'1'})
    for name in ('ssdlite_mbv2_ca_coco', 'ssdlite_mbv2_coco'):
        assert osp.getsize(tmp_path / f'{name}{runtime.suffix}') > 1000
    if profiled:
        ca = data['profile']['configs/ssdlite_mbv2_ca_coco.py']
        assert sum(ca.values()) > 0 and len(ca) > 2
    else:
        assert 'profile' not in data
        assert 'no per-operator profiler' in result.stdout


@pytest.mark.slow
def test_update_step_pairs_on_the_demo_config(repo_root, tmp_path):
    result = run(repo_root, tmp_path, 'update-step',
                 'configs/demo/ssdlite_mbv2_ca_shapes.py')
    assert result.returncode == 0, result.stderr
    assert '| optimizer step | GroupedOptimWrapperConstructor (2 groups) |' \
        in result.stdout
    with open(tmp_path / 'update_step_ssdlite_mbv2_ca_shapes.json') as f:
        out = json.load(f)
    groups = out['param_groups']
    # mmengine's: a group per parameter of SSDLite-MBv2-CA; ours: decay or
    # not
    assert groups['DefaultOptimWrapperConstructor'] > 300
    assert groups['GroupedOptimWrapperConstructor'] == 2
    # the EMA as the config's EMAHook sets it
    assert out['ema']['momentum'] == 0.01 and out['ema']['gamma'] == 200
    for pair, names in (('optimizer step', groups), ('EMA update', (
            'ForeachExpMomentumEMA', 'ExpMomentumEMA'))):
        assert set(out['ms'][pair]) == set(names)
        assert all(ms > 0 for ms in out['ms'][pair].values())
        assert out['ratio'][pair] > 0
