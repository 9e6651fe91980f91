"""Every SSDLite config builds, predicts, and has the paper's size."""
import glob
import os.path as osp

import pytest
import torch
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
