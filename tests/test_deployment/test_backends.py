"""Every runtime's export against PyTorch at a network's real scale, in the
CA form chosen for it, and ONNX Runtime's static form staying in NCHWc."""
import numpy as np
import pytest
import torch.nn as nn
from trained_scale import calibrate_batch_norms

from mmca.apis import build_inference_model
from mmca.cli import load_config
from mmca.deployment import (BACKENDS, TensorOutputs, ca_export_form,
                             compare_with_pytorch, export_onnx,
                             export_to_backend, nchwc_reorders,
                             onnx_graph_problems, parity_shapes)
from mmca.models import CoordAttention
from mmca.models.attention.export_form import CAExportForm


@pytest.fixture(scope='module')
def detector(repo_root):
    """SSDLite320-MBv2-CA with BN statistics from data, at 160x160."""
    cfg = load_config(f'{repo_root}/configs/ssdlite_mbv2_ca_coco.py')
    return calibrate_batch_norms(TensorOutputs(build_inference_model(cfg)),
                                 (160, 160))


EXPORTS = [(name, static) for name, backend in sorted(BACKENDS.items())
           for static in ((False, True) if backend.dynamic_shapes else
                          (True, ))]


@pytest.mark.slow
@pytest.mark.parametrize('name,static', EXPORTS)
def test_backend_matches_pytorch_at_trained_scale(detector, tmp_path, name,
                                                  static):
    backend = BACKENDS[name]
    path = str(tmp_path / f'model{backend.suffix}')
    form, static = export_to_backend(detector, backend, path, (1, 3, 160, 160),
                                     static)
    assert form == backend.form(static)
    shapes = parity_shapes(backend, (1, 3, 160, 160), static)
    if not static and backend.batches:
        assert len(shapes) == 2            # another batch size and size too
    diffs = compare_with_pytorch(detector, backend.load(path), shapes)
    for diff in diffs.values():
        assert diff['max_abs_output'] > 0.5
        assert diff['max_abs_diff'] <= 1e-4


class ConvCAConv(nn.Module):
    """conv -> CA -> conv, the pattern NCHWc has to keep through."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv_in = nn.Conv2d(8, channels, 3, padding=1)
        self.attention = CoordAttention(channels)
        self.conv_out = nn.Conv2d(channels, 8, 1)

    def forward(self, x):
        return (self.conv_out(self.attention(self.conv_in(x))), )


@pytest.mark.parametrize('channels', [32, 320])        # mid 8 and 10
def test_static_form_stays_in_nchwc_and_the_dynamic_one_does_not(
        tmp_path, channels):
    model = ConvCAConv(channels).eval()
    scopes = ['attention']
    dynamic, static = str(tmp_path / 'dynamic.onnx'), str(tmp_path /
                                                          'static.onnx')
    export_onnx(model, dynamic, (1, 8, 20, 20))
    with ca_export_form(BACKENDS['onnxruntime'].static_form):
        export_onnx(model, static, (1, 8, 20, 20), dynamic=False)
    assert len(nchwc_reorders(dynamic, scopes)['inside']) >= 2
    assert nchwc_reorders(static, scopes)['inside'] == []
    assert onnx_graph_problems(model, static, static=True) == []
    # Unpadded, a mid width of 10 leaves the strip convolutions in NCHW.
    if channels == 320:
        unpadded = str(tmp_path / 'unpadded.onnx')
        with ca_export_form(CAExportForm('avgpool', 'resize')):
            export_onnx(model, unpadded, (1, 8, 20, 20), dynamic=False)
        assert nchwc_reorders(unpadded, scopes)['inside']
        problems = onnx_graph_problems(model, unpadded, static=True)
        assert problems and 'NCHWc reorders beside CA blocks' in problems[0]


@pytest.mark.slow
def test_whole_detector_static_export_keeps_ca_in_nchwc(detector, tmp_path):
    path = str(tmp_path / 'static.onnx')
    export_to_backend(detector, BACKENDS['onnxruntime'], path,
                      (1, 3, 160, 160), static=True)
    assert onnx_graph_problems(detector, path, static=True) == []
    x = np.zeros((1, 3, 160, 160), np.float32)
    assert len(BACKENDS['onnxruntime'].load(path)(x)) == 12


class ConvCAOptionConv(nn.Module):
    """conv -> CA with an option -> conv, image-shaped input."""

    def __init__(self, **option) -> None:
        super().__init__()
        self.conv_in = nn.Conv2d(3, 48, 3, padding=1)
        self.attention = CoordAttention(48, **option)
        self.conv_out = nn.Conv2d(48, 8, 1)

    def forward(self, x):
        return (self.conv_out(self.attention(self.conv_in(x))), )


@pytest.mark.slow
@pytest.mark.parametrize('option', [dict(directions=('h', )),
                                    dict(directions=('w', )),
                                    dict(combine='softmax')], ids=str)
@pytest.mark.parametrize('name,static', EXPORTS)
def test_ca_option_runs_in_the_runtime_as_in_pytorch(tmp_path, name, static,
                                                     option):
    backend = BACKENDS[name]
    model = ConvCAOptionConv(**option).eval()
    for param in model.attention.parameters():
        param.data.normal_(0, 0.5)
    path = str(tmp_path / f'model{backend.suffix}')
    shape = (1, 3, 32, 32)
    _, static = export_to_backend(model, backend, path, shape, static)
    diffs = compare_with_pytorch(model, backend.load(path),
                                 parity_shapes(backend, shape, static))
    assert all(diff['max_abs_diff'] <= 1e-5 for diff in diffs.values())


@pytest.mark.parametrize('name', sorted(BACKENDS))
def test_export_to_a_relative_path_lands_there(tmp_path, monkeypatch, name):
    # pnnx, for one, runs in a temporary folder: a relative path given to
    # it unchanged was written there and lost
    backend = BACKENDS[name]
    monkeypatch.chdir(tmp_path)
    model = ConvCAConv(32).eval()
    path = f'out/model{backend.suffix}'
    (tmp_path / 'out').mkdir()
    shape = (1, 8, 16, 16)
    _, static = export_to_backend(model, backend, path, shape, True)
    assert (tmp_path / path).is_file()
    diffs = compare_with_pytorch(model, backend.load(path),
                                 parity_shapes(backend, shape, static))
    assert all(diff['max_abs_diff'] <= 1e-5 for diff in diffs.values())
