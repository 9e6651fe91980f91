"""Every export form of CoordAttention computes the block exactly: traced
and exported, against the eager module."""
import itertools

import onnx
import pytest
import torch

from mmca.deployment import ca_export_form, export_onnx
from mmca.models import CoordAttention
from mmca.models.attention.export_form import GATES, POOLS, CAExportForm

FORMS = [CAExportForm(pool, gate, multiple) for pool, gate, multiple in
         itertools.product(POOLS, GATES, (1, 16))]


def trained_like(channels: int, reduction: int = 32) -> CoordAttention:
    module = CoordAttention(channels, reduction=reduction).eval()
    torch.manual_seed(0)
    for p in module.parameters():
        p.data.normal_(0, 0.5)
    module.bn1.running_mean.normal_(0, 0.2)
    module.bn1.running_var.uniform_(0.5, 2.0)
    return module


@pytest.mark.parametrize('form', FORMS, ids=str)
@pytest.mark.parametrize('channels', [32, 320])     # mid 8 and 10
def test_traced_form_matches_eager_module(form, channels):
    module = trained_like(channels)
    x = torch.randn(2, channels, 9, 7)
    with torch.no_grad():
        want = module(x)                      # the compiled or plain path
        with ca_export_form(form):
            traced = torch.jit.trace(module, x)
        got = traced(x)
    torch.testing.assert_close(got, want, atol=2e-6, rtol=1e-5)
    assert CoordAttention.export_form == CAExportForm()


def test_form_is_restored_after_an_error():
    with pytest.raises(RuntimeError):
        with ca_export_form(CAExportForm('avgpool', 'resize', 16)):
            raise RuntimeError('export failed')
    assert CoordAttention.export_form == CAExportForm()


def test_static_form_graph_pads_mid_and_uses_pooling_and_resize(tmp_path):
    """C = 320 has mid width 10: padded to 16, the strip convolutions have
    16 output and input channels, the means are AveragePool with the
    export size's kernels, and the gates reach (H, W) through Resize."""
    module = trained_like(320)
    path = str(tmp_path / 'ca.onnx')
    with ca_export_form(CAExportForm('avgpool', 'resize', 16)):
        export_onnx(module, path, (1, 320, 12, 10), dynamic=False)
    graph = onnx.load(path).graph
    ops = [n.op_type for n in graph.node]
    assert ops.count('AveragePool') == 2 and ops.count('Resize') == 2
    assert 'ReduceMean' not in ops
    kernels = sorted(tuple(a.ints) for n in graph.node
                     if n.op_type == 'AveragePool' for a in n.attribute
                     if a.name == 'kernel_shape')
    assert kernels == [(1, 10), (12, 1)]
    weights = {i.name: tuple(i.dims) for i in graph.initializer}
    weights.update({n.output[0]: tuple(n.attribute[0].t.dims)
                    for n in graph.node if n.op_type == 'Constant'})
    conv_weights = [weights[n.input[1]] for n in graph.node
                    if n.op_type == 'Conv']
    assert sorted(conv_weights) == [(16, 320, 1, 1), (16, 320, 1, 1),
                                    (320, 16, 1, 1), (320, 16, 1, 1)]


def test_bad_form_is_refused():
    with pytest.raises(ValueError, match='pool must be one of'):
        CAExportForm('max')
    with pytest.raises(ValueError, match='gate must be one of'):
        CAExportForm(gate='sum')
    with pytest.raises(ValueError, match='traced with the broadcast gate'):
        CAExportForm('mean', 'outer', fused=True)


@pytest.mark.parametrize('text,form', [
    ('mean:outer', CAExportForm('mean', 'outer')),
    ('avgpool:resize:16', CAExportForm('avgpool', 'resize', 16)),
    ('avgpool:broadcast:fused',
     CAExportForm('avgpool', 'broadcast', fused=True)),
    ('mean:broadcast:8:fused', CAExportForm('mean', 'broadcast', 8, True)),
])
def test_form_parses_from_the_command_lines_text(text, form):
    assert CAExportForm.parse(text) == form


@pytest.mark.parametrize('text,message', [
    ('mean', 'expected POOL:GATE'), ('mean:outer:', 'expected POOL:GATE'),
    ('mean:outer:x', 'expected POOL:GATE'),
    ('mean:outer:8:16', 'expected POOL:GATE'),
    ('max:outer', 'pool must be one of'),
    ('mean:outer:fused', 'traced with the broadcast gate'),
])
def test_text_that_names_no_form_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        CAExportForm.parse(text)


OPTIONS = [dict(directions=('h', )), dict(directions=('w', )),
           dict(combine='softmax')]


def trained_like_with(option: dict) -> CoordAttention:
    module = trained_like(48)
    other = CoordAttention(48, **option).eval()
    other.load_state_dict(module.state_dict(), strict=False)
    return other


@pytest.mark.parametrize('form', FORMS, ids=str)
@pytest.mark.parametrize('option', OPTIONS, ids=str)
def test_option_traced_in_each_form_matches_eager_module(option, form):
    module = trained_like_with(option)
    x = torch.randn(2, 48, 9, 7)
    with torch.no_grad():
        want = module(x)                      # plain ops
        with ca_export_form(form):
            traced = torch.jit.trace(module, x)
        got = traced(x)
    torch.testing.assert_close(got, want, atol=2e-6, rtol=1e-5)


@pytest.mark.parametrize('form', [CAExportForm(),
                                  CAExportForm('avgpool', 'resize', 16)],
                         ids=str)
@pytest.mark.parametrize('option', OPTIONS, ids=str)
def test_option_runs_in_onnx_runtime_as_in_pytorch(option, form, tmp_path):
    """The dynamic default form at another input size too; the static
    NCHWc form of ONNX Runtime at its export size."""
    import onnxruntime
    module = trained_like_with(option)
    path = str(tmp_path / 'ca.onnx')
    with ca_export_form(form):
        export_onnx(module, path, (1, 48, 12, 10), dynamic=not form.static)
    session = onnxruntime.InferenceSession(
        path, providers=['CPUExecutionProvider'])
    sizes = [(12, 10)] if form.static else [(12, 10), (7, 15)]
    for h, w in sizes:
        x = torch.randn(1, 48, h, w)
        got, = session.run(None, {'input': x.numpy()})
        with torch.no_grad():
            want = module(x)
        torch.testing.assert_close(torch.from_numpy(got), want, atol=1e-5,
                                   rtol=1e-5)
