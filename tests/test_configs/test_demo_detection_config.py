"""The detection demo config: SSDLite-MBv2-CA of the COCO config, whose
prior boxes follow the demo's input size (should that differ from 320)."""
import os.path as osp

import torch
from mmengine.registry import init_default_scope

from mmca.apis import config_input_size
from mmca.cli import load_config
from mmca.engine import replace_sync_bn

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'configs', 'demo', 'ssdlite_mbv2_ca_shapes.py')
COCO = osp.join(REPO, 'configs', 'ssdlite_mbv2_ca_coco.py')
#: the input SSDLite320's priors (mmdet's, in the COCO config) are set for
COCO_INPUT = 320


def resize_scales(pipeline):
    return [tuple(step['scale']) for step in pipeline
            if step['type'] == 'Resize']


def test_demo_is_the_coco_ca_model_but_classes_bn_init_and_priors():
    demo, coco = load_config(DEMO), load_config(COCO)
    assert demo.model.backbone.attention == dict(type='CoordAttention')
    assert demo.model.bbox_head.num_classes == 4
    for cfg in (demo, coco):
        model = cfg.model
        model.backbone.pop('init_cfg')
        for part in (model.backbone, model.neck, model.bbox_head):
            part.pop('norm_cfg')
        model.bbox_head.pop('num_classes')
        for key in ('strides', 'min_sizes', 'max_sizes'):
            model.bbox_head.anchor_generator.pop(key)
    assert demo.model.to_dict() == coco.model.to_dict()


def test_demo_tests_at_its_input_size_and_trains_at_most_at_it():
    """Validation and test feed the size the priors are set for; training
    may feed a smaller one (cheaper; the priors are in pixels)."""
    demo = load_config(DEMO)
    h, w = config_input_size(demo)
    assert h == w
    for loader in ('val_dataloader', 'test_dataloader'):
        pipeline = demo[loader].dataset.pipeline
        assert resize_scales(pipeline) == [(w, h)], loader
    train_pipeline = demo.train_dataloader.dataset.pipeline
    (train_w, train_h), = resize_scales(train_pipeline)
    assert train_w == train_h <= w


def test_demo_priors_follow_its_input_size():
    """Each level's prior stride is the input over that level's map, as
    the model computes it, and the prior sizes are the COCO config's scaled
    by the input over 320."""
    demo, coco = load_config(DEMO), load_config(COCO)
    size, _ = config_input_size(demo)
    init_default_scope('mmdet')
    from mmdet.registry import MODELS
    demo.model.backbone.init_cfg = None
    model = MODELS.build(replace_sync_bn(demo.model)).eval()
    with torch.no_grad():
        maps = model.extract_feat(torch.zeros(1, 3, size, size))
    assert len(maps) == 6
    anchors = demo.model.bbox_head.anchor_generator
    assert anchors.strides == [round(size / m.shape[-1]) for m in maps]
    scale = size / COCO_INPUT
    coco_anchors = coco.model.bbox_head.anchor_generator
    for key in ('min_sizes', 'max_sizes'):
        assert anchors[key] == [round(s * scale) for s in coco_anchors[key]]
    assert anchors.max_sizes[-1] == size
