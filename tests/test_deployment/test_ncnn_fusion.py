"""pnnx's CA blocks rewritten into mmca's CoordAttention ncnn layer: the
same outputs from the same .bin, one layer per block, and blocks the layer
does not cover left as they are."""
import hashlib
import shutil

import pytest
import torch.nn as nn

from mmca.deployment import (BACKENDS, ca_export_form, compare_with_pytorch,
                             export_to_backend)
from mmca.deployment.ncnn_fusion import (LAYER_TYPE, count_fused_layers,
                                         fuse_coord_attention, read_param)
from mmca.models import CoordAttention
from mmca.models.attention.export_form import CAExportForm

NCNN = BACKENDS['ncnn']


class ConvCAConv(nn.Module):
    """conv -> CA -> conv, with CA's gates far from 0 and 1."""

    def __init__(self, channels=48, **option) -> None:
        super().__init__()
        self.conv_in = nn.Conv2d(3, channels, 3, padding=1)
        self.attention = CoordAttention(channels, **option)
        self.conv_out = nn.Conv2d(channels, 8, 1)
        for param in self.attention.parameters():
            param.data.normal_(0, 0.5)
        self.eval()

    def forward(self, x):
        return (self.conv_out(self.attention(self.conv_in(x))), )


def stock_export(model, path, pool, shape=(1, 3, 24, 40)):
    """pnnx's export, CA in ncnn's stock layers."""
    with ca_export_form(CAExportForm(pool, 'broadcast')):
        NCNN.export(model, str(path), shape, pool == 'avgpool')


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize('pool', ['mean', 'avgpool'])
@pytest.mark.parametrize('act', ['HSwish', 'ReLU6', 'ReLU', 'SiLU'])
def test_the_rewrite_keeps_the_outputs_and_the_weights_file(
        tmp_path, pool, act):
    model = ConvCAConv(act_cfg=dict(type=act))
    stock = tmp_path / 'stock.param'
    stock_export(model, stock, pool)
    fused = tmp_path / 'fused.param'
    shutil.copy(stock, fused)
    shutil.copy(tmp_path / 'stock.bin', tmp_path / 'fused.bin')

    assert fuse_coord_attention(str(fused)) == 1
    assert digest(tmp_path / 'fused.bin') == digest(tmp_path / 'stock.bin')
    before, after = read_param(str(stock)), read_param(str(fused))
    # split, 2 strip means, 4 convolutions, 2 activations, 2 products
    assert len(before) - len(after) == 8 + (act in ('HSwish', 'SiLU')) * 2
    assert [layer.type for layer in after] == [
        'Input', 'Convolution', LAYER_TYPE, 'Convolution']
    for path in (stock, fused):
        diffs = compare_with_pytorch(model, NCNN.load(str(path)),
                                     [(1, 3, 24, 40)])
        assert max(d['max_abs_diff'] for d in diffs.values()) <= 1e-5
    # rewriting again changes nothing
    assert fuse_coord_attention(str(fused)) == 1
    assert read_param(str(fused)) == after


@pytest.mark.slow
def test_a_mean_form_export_runs_at_other_sizes(tmp_path):
    model = ConvCAConv()
    path = str(tmp_path / 'model.param')
    form, static = export_to_backend(model, NCNN, path, (1, 3, 24, 40))
    assert form.fused and not static and count_fused_layers(path) == 1
    session = NCNN.load(path)
    for shape in [(1, 3, 24, 40), (1, 3, 33, 17)]:
        diffs = compare_with_pytorch(model, session, [shape])
        assert max(d['max_abs_diff'] for d in diffs.values()) <= 1e-5


@pytest.mark.slow
@pytest.mark.parametrize('option', [dict(directions=('h', )),
                                    dict(combine='softmax')], ids=str)
def test_blocks_the_layer_does_not_cover_stay_stock(tmp_path, option):
    path = tmp_path / 'model.param'
    stock_export(ConvCAConv(**option), path, 'avgpool')
    text = path.read_text()
    assert fuse_coord_attention(str(path)) == 0
    assert path.read_text() == text


@pytest.mark.slow
def test_a_weighted_layer_inside_a_block_stops_the_rewrite(tmp_path):
    # the fused layer reads the block's weights where its convolutions
    # did: a layer with weights of its own between them would shift them
    path = tmp_path / 'model.param'
    stock_export(ConvCAConv(), path, 'avgpool')
    lines = path.read_text().splitlines()
    first_squeeze = next(i for i, line in enumerate(lines)
                         if line.startswith('Convolution')
                         and ' 0=8 ' in line)
    lines.insert(first_squeeze + 1, 'Convolution   extra   1 1 in0 extra0 '
                 '0=8 1=1 5=1 6=24')
    count, blobs = map(int, lines[1].split())
    lines[1] = f'{count + 1} {blobs + 1}'
    path.write_text('\n'.join(lines) + '\n')
    assert fuse_coord_attention(str(path)) == 0


def test_a_file_that_is_not_a_param_is_refused(tmp_path):
    path = tmp_path / 'model.param'
    path.write_text('not ncnn\n')
    with pytest.raises(ValueError, match='not an ncnn .param'):
        fuse_coord_attention(str(path))


def test_fused_needs_the_broadcast_gate_and_a_runtime_with_the_layer():
    with pytest.raises(ValueError, match='broadcast gate'):
        CAExportForm('mean', 'outer', fused=True)
    with pytest.raises(ValueError, match='no fused CA layer'):
        export_to_backend(ConvCAConv(), BACKENDS['onnxruntime'],
                          '/nonexistent/m.onnx', (1, 3, 24, 40),
                          form=CAExportForm('mean', 'broadcast', fused=True))
