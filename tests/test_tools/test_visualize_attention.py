"""tools/analysis_tools/visualize_attention.py on random weights saved here."""
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

TOOL = 'tools/analysis_tools/visualize_attention.py'


def run(repo_root, *args):
    return subprocess.run([sys.executable, TOOL, *args], cwd=repo_root,
                          capture_output=True, text=True)


def run_in_process(monkeypatch, capsys, *args) -> str:
    """The tool's main, here: the compiled ops and libraries load once."""
    from tools.analysis_tools import visualize_attention
    monkeypatch.setattr(sys, 'argv', [TOOL, *args])
    visualize_attention.main()
    return capsys.readouterr().out


@pytest.mark.parametrize('config,attention,top_k,columns', [
    ('configs/demo/mbv2_ca_shapes_cls.py', 'CoordAttention', 3, 4),
    ('configs/ssdlite_mbv2_ca_coco.py', 'CoordAttention', 2, 3),
    ('configs/demo/deeplabv3_mbv2_ca_shapes.py', 'CoordAttention', 1, 2),
    ('configs/mbv2_se_imagenet.py', 'SqueezeExcitation', 3, 1),
    ('configs/mbv2_cbam_imagenet.py', 'CBAM', 3, 2),
], ids=['cls-ca', 'det-ca', 'seg-ca', 'cls-se', 'cls-cbam'])
def test_one_row_per_attention_layer_and_its_panels(
        config, attention, top_k, columns, repo_root, tmp_path, monkeypatch,
        capsys, shapes_image, random_checkpoint):
    """CA rows: the channel mean and top_k channels; SE rows: the channel
    weights; CBAM rows: the spatial map and the channel weights."""
    from tools.analysis_tools.visualize_attention import CELL_PIXELS
    weights, layers = random_checkpoint(config)
    out = tmp_path / 'maps' / 'attention.png'
    monkeypatch.chdir(repo_root)
    stdout = run_in_process(monkeypatch, capsys, config, weights,
                            shapes_image, '--out', str(out),
                            '--top-k', str(top_k))
    assert (f'{layers} attention layers ({attention}) x {columns} panels'
            in stdout)
    picture = cv2.imread(str(out))
    assert picture is not None and layers > 10
    assert picture.shape[:2] == (layers * CELL_PIXELS, columns * CELL_PIXELS)
    assert picture.std() > 10                   # drawn, not blank


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


def test_panels_of_ca_gates_rank_channels_by_spread():
    from tools.analysis_tools.visualize_attention import panels
    from mmca.models.attention import GateRecord
    gate_h = torch.full((1, 3, 4, 1), 0.5)
    gate_w = torch.full((1, 3, 1, 5), 0.5)
    gate_h[0, 1, 0] = 1.0                        # channel 1 varies most
    gate_w[0, 2, 0, 0] = 0.9                     # channel 2 a little
    record = GateRecord('backbone.layer2.0.attention', None,
                        dict(gate_h=gate_h, gate_w=gate_w))
    mean, first, second = panels(record, top_k=2)
    assert mean.values.shape == (4, 5)
    np.testing.assert_allclose(mean.values,
                               (gate_h * gate_w)[0].mean(0).numpy())
    assert 'ch 1 ' in first.title and 'ch 2 ' in second.title
    np.testing.assert_allclose(first.values, (gate_h * gate_w)[0, 1].numpy())
