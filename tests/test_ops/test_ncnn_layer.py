"""mmca's CoordAttention ncnn layer in the ncnn wheel, against eq. (4)-(6)
computed in numpy, in every element packing ncnn gives it."""
import os.path as osp
import struct
import subprocess
import sys
import tempfile

import ncnn
import numpy as np
import pytest

from mmca.ops.ncnn_layers import (NCNNLayersUnavailable, build,
                                  build_directory, fetch_sdist, isa_flags,
                                  load_ncnn_layers, ncnn_install)

MID_H, MID_W, GATE_H, GATE_W = range(4)


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


# (ncnn activation type, a, b) and numpy's delta
ACTIVATIONS = {
    'identity': ((0, 0.0, 0.0), lambda v: v),
    'relu': ((1, 0.0, 0.0), lambda v: np.maximum(v, 0)),
    'relu6': ((3, 0.0, 6.0), lambda v: np.clip(v, 0, 6)),
    'hswish': ((6, 1 / 6, 0.5), lambda v: v * np.clip(v / 6 + 0.5, 0, 1)),
    'silu': ((7, 0.0, 0.0), lambda v: v * sigmoid(v)),
}


def run_layer(x, weights, activation, order, packing, threads):
    """x (C, H, W) through Input -> CoordAttention in ncnn."""
    module = load_ncnn_layers()
    channels, mid = weights[MID_H][0].shape[1], weights[MID_H][0].shape[0]
    (kind, a, b), _ = ACTIVATIONS[activation]
    param = ('7767517\n2 2\nInput data 0 1 data\n'
             f'CoordAttention ca 1 1 data out 0={channels} 1={mid} 2={kind} '
             f'3={a!r} 4={b!r} ' +
             ' '.join(f'{5 + k}={role}' for k, role in enumerate(order)))
    # each weight as ncnn's Convolution stores it: a flag word (0: float32),
    # the weights, then the biases
    model = b''.join(
        struct.pack('<I', 0) + weights[role][0].astype(np.float32).tobytes()
        + weights[role][1].astype(np.float32).tobytes() for role in order)
    layers = []

    def create():
        layers.append(module.CoordAttention())
        return layers[-1]

    net = ncnn.Net()
    net.opt.num_threads = threads
    net.opt.use_packing_layout = packing
    for flag in ('use_fp16_packed', 'use_fp16_storage',
                 'use_fp16_arithmetic', 'use_bf16_storage'):
        setattr(net.opt, flag, False)
    assert net.register_custom_layer('CoordAttention', create,
                                     lambda layer: None) == 0
    with tempfile.TemporaryDirectory() as folder:
        with open(osp.join(folder, 'ca.bin'), 'wb') as f:
            f.write(model)
        assert net.load_param_mem(param) == 0
        assert net.load_model(osp.join(folder, 'ca.bin')) == 0
    assert len(layers) == 1
    with net.create_extractor() as ex:
        # a copy ncnn owns: the layer works in place
        ex.input('data', ncnn.Mat(x).clone())
        ret, out = ex.extract('out')
    assert ret == 0
    return np.array(out)


def reference(x, weights, activation):
    """Eq. (4)-(6): y = x * g^h * g^w."""
    _, delta = ACTIVATIONS[activation]
    (w1h, b1h), (w1w, b1w), (wh, bh), (ww, bw) = weights
    zh, zw = x.mean(axis=2), x.mean(axis=1)           # (C, H), (C, W)
    gh = sigmoid(wh @ delta(w1h @ zh + b1h[:, None]) + bh[:, None])
    gw = sigmoid(ww @ delta(w1w @ zw + b1w[:, None]) + bw[:, None])
    return x * gh[:, :, None] * gw[:, None, :]


def random_weights(rng, channels, mid):
    scale = 1 / np.sqrt(channels)
    return [(rng.normal(0, scale, (mid, channels)), rng.normal(0, 1, mid)),
            (rng.normal(0, scale, (mid, channels)), rng.normal(0, 1, mid)),
            (rng.normal(0, 0.5, (channels, mid)), rng.normal(0, 1, channels)),
            (rng.normal(0, 0.5, (channels, mid)), rng.normal(0, 1, channels))]


# 48 channels are packed 16 (AVX-512) or 8, 24 by 8, 20 by 4, 13 not at all
@pytest.mark.parametrize('channels', [48, 24, 20, 13])
@pytest.mark.parametrize('packing', [True, False])
@pytest.mark.parametrize('threads', [1, 2])
def test_layer_matches_the_equations(channels, packing, threads):
    rng = np.random.default_rng(channels)
    x = rng.normal(0, 2, (channels, 13, 17)).astype(np.float32)
    weights = random_weights(rng, channels, 8)
    out = run_layer(x, weights, 'hswish', [0, 1, 2, 3], packing, threads)
    expected = reference(x.astype(np.float64), weights, 'hswish')
    assert np.abs(out - x).max() > 0.1          # the gates do something
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('activation', sorted(ACTIVATIONS))
def test_every_nonlinearity(activation):
    rng = np.random.default_rng(1)
    x = rng.normal(0, 3, (32, 9, 11)).astype(np.float32)
    weights = random_weights(rng, 32, 8)
    out = run_layer(x, weights, activation, [0, 1, 2, 3], True, 2)
    np.testing.assert_allclose(
        out, reference(x.astype(np.float64), weights, activation),
        rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('order', [[1, 0, 3, 2], [0, 2, 1, 3]])
def test_weights_read_in_the_order_the_params_give(order):
    rng = np.random.default_rng(2)
    x = rng.normal(0, 2, (16, 6, 10)).astype(np.float32)
    weights = random_weights(rng, 16, 8)
    out = run_layer(x, weights, 'hswish', order, True, 1)
    np.testing.assert_allclose(
        out, reference(x.astype(np.float64), weights, 'hswish'), rtol=1e-5,
        atol=1e-5)


@pytest.mark.parametrize('height,width', [(1, 9), (7, 1), (1, 1), (64, 3)])
def test_strips_of_length_one_and_long_ones(height, width):
    rng = np.random.default_rng(3)
    x = rng.normal(0, 2, (32, height, width)).astype(np.float32)
    weights = random_weights(rng, 32, 8)
    out = run_layer(x, weights, 'relu6', [0, 1, 2, 3], True, 2)
    np.testing.assert_allclose(
        out, reference(x.astype(np.float64), weights, 'relu6'), rtol=1e-5,
        atol=1e-5)


def test_a_second_load_does_not_rebuild(monkeypatch):
    load_ncnn_layers()
    version, ncnn_dir = ncnn_install()
    flags = isa_flags()
    directory = build_directory(version, ncnn_dir, flags)

    def no_compiling(command):
        raise AssertionError(f'rebuilt: {command[:3]}')

    monkeypatch.setattr('mmca.ops.ncnn_layers.run', no_compiling)
    assert osp.isfile(build(version, ncnn_dir, flags, directory))


def test_the_build_is_keyed_by_the_ncnn_install():
    # a second venv's ncnn (another install folder, another libgomp) gets
    # a build of its own rather than rebuilding this one's
    version, ncnn_dir = ncnn_install()
    flags = isa_flags()
    assert build_directory(version, ncnn_dir, flags) != build_directory(
        version, '/other/venv/site-packages/ncnn', flags)
    assert build_directory(version, ncnn_dir, flags) == build_directory(
        version, ncnn_dir, flags)


def test_a_source_archive_that_is_not_ncnns_is_refused(tmp_path,
                                                       monkeypatch):
    fake = tmp_path / 'ncnn.tar.gz'
    fake.write_bytes(b'not ncnn')
    monkeypatch.setenv('MMCA_CACHE_DIR', str(tmp_path / 'cache'))
    monkeypatch.setenv('MMCA_NCNN_SOURCE', str(fake))
    version, _ = ncnn_install()
    with pytest.raises(NCNNLayersUnavailable, match='SHA-256'):
        fetch_sdist(version)
    assert not (tmp_path / 'cache' / 'ncnn' / 'ncnn.tar.gz').exists()
    with pytest.raises(NCNNLayersUnavailable, match='knows no ncnn source'):
        fetch_sdist('0.0.1')


def test_loads_and_computes_with_ncnn_imported_before_torch():
    # then ncnn runs its threads on the OpenMP runtime it bundles, and the
    # layer is bound to that one (openmp_is_the_wheels), not torch's
    script = (
        'import ncnn, sys\n'
        'import numpy as np\n'
        'sys.path.insert(0, "tests/test_ops")\n'
        'from test_ncnn_layer import random_weights, reference, run_layer\n'
        'from mmca.ops.ncnn_layers import openmp_is_the_wheels\n'
        'rng = np.random.default_rng(4)\n'
        'x = rng.normal(0, 2, (32, 10, 12)).astype(np.float32)\n'
        'w = random_weights(rng, 32, 8)\n'
        'out = run_layer(x, w, "hswish", [0, 1, 2, 3], True, 2)\n'
        'ref = reference(x.astype(np.float64), w, "hswish")\n'
        'print(openmp_is_the_wheels(), float(np.abs(out - ref).max()))\n')
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True,
                            cwd=osp.dirname(osp.dirname(osp.dirname(
                                osp.abspath(__file__)))))
    assert result.returncode == 0, result.stderr[-2000:]
    wheels, diff = result.stdout.split()[-2:]
    assert wheels == 'True' and float(diff) < 1e-5
