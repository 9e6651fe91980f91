"""Every SSDLite config builds, predicts, and has the paper's size."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.registry import MODELS as MMCA_MODELS
from mmengine.registry import init_default_scope

from mmca.cli import load_config
from mmca.engine import replace_sync_bn

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'ssdlite_*.py')))
# COCO val SSDLite320 sizes of the paper (Table 6), in M parameters
PAPER_SIZES = {'ssdlite_mbv2_coco.py': 4.3, 'ssdlite_mbv2_se_coco.py': 4.7,
               'ssdlite_mbv2_cbam_coco.py': 4.7,
               'ssdlite_mbv2_ca_coco.py': 4.8,
               'ssdlite_mnext_ca_coco.py': None}
#: the networks with an SE of their own: baseline (that SE) -> CA config
SE_NETWORK_TWINS = {
    'ssdlite_mbv3-large_coco.py': 'ssdlite_mbv3-large_ca_coco.py',
    'ssdlite_mbv3-small_coco.py': 'ssdlite_mbv3-small_ca_coco.py',
    'ssdlite_effb0_coco.py': 'ssdlite_effb0_ca_coco.py',
}


def build_detector(path):
    cfg = load_config(path)
    init_default_scope('mmdet')
    from mmdet.registry import MODELS
    cfg.model.backbone.init_cfg = None            # no pretrained weights here
    return cfg, MODELS.build(replace_sync_bn(cfg.model)).eval()


def test_all_detection_configs_are_covered():
    names = {osp.basename(c) for c in CONFIGS}
    assert set(PAPER_SIZES) <= names
    assert {'ssdlite_mbv2_ca_voc.py', 'ssdlite_mbv2_voc.py'} <= names
    assert set(SE_NETWORK_TWINS) | set(SE_NETWORK_TWINS.values()) <= names


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds_and_predicts(path):
    from mmdet.testing import demo_mm_inputs
    cfg, model = build_detector(path)
    assert cfg.default_scope == 'mmdet'
    assert type(model.bbox_head).__name__ == 'SSDLiteHead'
    inputs = demo_mm_inputs(2, [[3, 320, 320], [3, 240, 400]],
                            num_classes=model.bbox_head.num_classes)
    data = model.data_preprocessor(inputs, False)
    with torch.no_grad():
        results = model(**data, mode='predict')
    assert len(results) == 2
    for result in results:
        boxes = result.pred_instances.bboxes
        assert boxes.ndim == 2 and boxes.shape[1] == 4
        assert len(result.pred_instances.scores) == len(boxes)
    num_classes = 20 if path.endswith('_voc.py') else 80
    assert model.bbox_head.num_classes == num_classes


@pytest.mark.parametrize('name', [n for n, s in PAPER_SIZES.items() if s])
def test_sizes_match_the_paper(name):
    _, model = build_detector(osp.join(REPO, 'configs', name))
    params = sum(p.numel() for p in model.parameters()) / 1e6
    assert abs(params - PAPER_SIZES[name]) / PAPER_SIZES[name] < 0.05, params


def test_ca_config_differs_from_its_baseline_by_the_attention():
    ca = load_config(osp.join(REPO, 'configs', 'ssdlite_mbv2_ca_coco.py'))
    plain = load_config(osp.join(REPO, 'configs', 'ssdlite_mbv2_coco.py'))
    assert ca.model.backbone.attention == dict(type='CoordAttention')
    assert plain.model.backbone.attention is None
    for cfg in (ca, plain):
        cfg.model.backbone.pop('attention')
        cfg.model.backbone.pop('init_cfg')
    assert ca.model.to_dict() == plain.model.to_dict()
    assert ca.train_dataloader.to_dict() == plain.train_dataloader.to_dict()


@pytest.mark.parametrize(
    'name', [n for pair in SE_NETWORK_TWINS.items() for n in pair])
def test_neck_reads_the_stride_16_and_32_maps_at_their_widths(name):
    cfg, model = build_detector(osp.join(REPO, 'configs', name))
    with torch.no_grad():
        maps = model.backbone(torch.randn(1, 3, 320, 320))
        features = model.neck(maps)
    assert [320 // m.shape[2] for m in maps] == [16, 32]
    assert [m.shape[1] for m in maps] == list(cfg.model.neck.in_channels)
    assert ([f.shape[1] for f in features]
            == list(model.bbox_head.in_channels))


@pytest.mark.parametrize('baseline, ca', SE_NETWORK_TWINS.items())
def test_se_network_configs_differ_by_the_attention(baseline, ca):
    base = load_config(osp.join(REPO, 'configs', baseline))
    ca = load_config(osp.join(REPO, 'configs', ca))
    own = MMCA_MODELS.get(base.model.backbone.type).own_attention
    assert base.model.backbone.attention == own
    assert ca.model.backbone.attention == dict(type='CoordAttention')
    for cfg in (ca, base):
        cfg.model.backbone.pop('attention')
        cfg.model.backbone.pop('init_cfg')
    assert ca.to_dict() == base.to_dict()
