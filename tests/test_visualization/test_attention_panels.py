"""mmca.visualization.attention_panels: the gates of a prediction, one row
per attention layer, on seeded random weights."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from mmca.apis import load_inference_model, load_test_image
from mmca.cli import load_config
from mmca.models.attention import GateRecord, records_gates
from mmca.visualization import (CELL_PIXELS, COLORBAR_PIXELS, attention_figure,
                                draw_attention_panels, gate_panels, grayscale,
                                layer_label, predicted_gates)


@pytest.mark.parametrize('config,attention,top_k,columns', [
    ('configs/demo/mbv2_ca_shapes_cls.py', 'CoordAttention', 3, 4),
    ('configs/ssdlite_mbv2_ca_coco.py', 'CoordAttention', 2, 3),
    ('configs/demo/deeplabv3_mbv2_ca_shapes.py', 'CoordAttention', 1, 2),
    ('configs/mbv2_se_imagenet.py', 'SqueezeExcitation', 3, 1),
    ('configs/mbv2_cbam_imagenet.py', 'CBAM', 3, 2),
], ids=['cls-ca', 'det-ca', 'seg-ca', 'cls-se', 'cls-cbam'])
def test_one_row_per_attention_layer_and_its_panels(
        config, attention, top_k, columns, repo_root, tmp_path,
        shapes_image):
    """CA rows: the channel mean and top_k channels; SE rows: the channel
    weights; CBAM rows: the spatial map and the channel weights."""
    cfg = load_config(osp.join(repo_root, config))
    torch.manual_seed(0)
    model = load_inference_model(cfg, None)
    layers = sum(records_gates(m) for m in model.modules())
    batch, image = load_test_image(cfg, model, shapes_image)
    records = predicted_gates(model, batch)
    assert len(records) == layers > 10
    assert {type(r.module).__name__ for r in records} == {attention}
    out = tmp_path / 'maps' / 'attention.png'
    assert draw_attention_panels(records, image, 'title', str(out),
                                 top_k) == columns
    picture = cv2.imread(str(out))
    assert picture is not None
    assert picture.shape[:2] == (layers * CELL_PIXELS,
                                 columns * CELL_PIXELS + COLORBAR_PIXELS)
    assert picture.std() > 10                   # drawn, not blank


def ca_record(name: str, seed: int) -> GateRecord:
    generator = torch.Generator().manual_seed(seed)
    return GateRecord(name, None, dict(
        gate_h=torch.rand(1, 5, 4, 1, generator=generator),
        gate_w=torch.rand(1, 5, 1, 6, generator=generator)))


def test_maps_lie_over_the_gray_image_on_one_scale_a_row(shapes_image):
    """Each map is drawn over the image's luminance; a row's maps and its
    colorbar span the smallest to the largest value among them; a row of
    channel bars (SE) has no colorbar."""
    image = cv2.cvtColor(cv2.imread(shapes_image), cv2.COLOR_BGR2RGB)
    records = [ca_record('backbone.layer2.0.attention', 0),
               GateRecord('backbone.layer3.0.attention', None,
                          dict(channel=torch.rand(1, 6, 1, 1))),
               ca_record('backbone.layer4.0.attention', 1)]
    fig = attention_figure(records, image, 'title', top_k=2)
    luminance = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    maps_by_row = {}
    for ax in fig.axes:
        if len(ax.images) == 2:
            background, drawn = ax.images
            assert background.get_cmap().name == 'gray'
            assert np.abs(background.get_array().astype(int)
                          - luminance).max() <= 1
            row = ax.get_subplotspec().rowspan.start
            maps_by_row.setdefault(row, []).append(drawn)
    assert sorted(maps_by_row) == [0, 2]
    for row, seed in ((0, 0), (2, 1)):
        record = ca_record('x', seed)
        maps = (record.gates['gate_h'] * record.gates['gate_w'])[0]
        flat = maps.flatten(1)
        top2 = (flat.amax(1) - flat.amin(1)).topk(2).indices
        shown = torch.cat([maps.mean(0).flatten(), maps[top2].flatten()])
        drawn = maps_by_row[row]
        assert len(drawn) == 3
        for artist in drawn:
            assert artist.norm.vmin == pytest.approx(float(shown.min()))
            assert artist.norm.vmax == pytest.approx(float(shown.max()))
        (colorbar, ) = [a.colorbar for a in drawn if a.colorbar]
        assert (colorbar.vmin, colorbar.vmax) == (artist.norm.vmin,
                                                  artist.norm.vmax)
        ticks = colorbar.get_ticks()
        assert (ticks[0], ticks[-1]) == (colorbar.vmin, colorbar.vmax)
    se_row = [ax for ax in fig.axes
              if ax.get_subplotspec().rowspan.start == 1]
    assert not any(ax.images for ax in se_row)
    assert not se_row[-1].axison          # its colorbar column stays empty


def test_grayscale_is_opencvs_luminance():
    image = np.random.default_rng(0).integers(0, 256, (7, 9, 3), np.uint8)
    gray = grayscale(image)
    assert gray.dtype == np.uint8 and gray.shape == (7, 9)
    reference = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(int)
    assert np.abs(gray.astype(int) - reference).max() <= 1


def test_panels_of_ca_gates_rank_channels_by_spread():
    gate_h = torch.full((1, 3, 4, 1), 0.5)
    gate_w = torch.full((1, 3, 1, 5), 0.5)
    gate_h[0, 1, 0] = 1.0                        # channel 1 varies most
    gate_w[0, 2, 0, 0] = 0.9                     # channel 2 a little
    record = GateRecord('backbone.layer2.0.attention', None,
                        dict(gate_h=gate_h, gate_w=gate_w))
    mean, first, second = gate_panels(record, top_k=2)
    assert mean.values.shape == (4, 5)
    np.testing.assert_allclose(mean.values,
                               (gate_h * gate_w)[0].mean(0).numpy())
    assert 'ch 1 ' in first.title and 'ch 2 ' in second.title
    np.testing.assert_allclose(first.values, (gate_h * gate_w)[0, 1].numpy())


def test_panels_of_channel_gates_are_one_bar_chart():
    channel = torch.rand(1, 6, 1, 1)
    record = GateRecord('backbone.layer3.1.attention', None,
                        dict(channel=channel))
    (bars, ) = gate_panels(record, top_k=3)
    assert bars.title == 'channel weights $g^c$'
    np.testing.assert_allclose(bars.values, channel.flatten().numpy())


def test_layer_label_drops_the_backbone_and_attention_parts():
    record = GateRecord('backbone.layer2.0.attention', torch.nn.Identity(),
                        {})
    assert layer_label(record) == 'layer2.0\nIdentity'
