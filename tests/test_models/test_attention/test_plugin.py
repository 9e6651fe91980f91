"""CoordAttention as an mmcv plugin in mmdet's ResNet and mmseg's ResNetV1c."""
import os.path as osp

import pytest
import torch
from mmcv.cnn import build_plugin_layer
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmca.models import CoordAttention


def test_build_plugin_layer_names_and_builds_it():
    name, layer = build_plugin_layer(dict(type='CoordAttention', reduction=16),
                                     in_channels=64, postfix='_1')
    assert name == 'coord_att_1'
    assert isinstance(layer, CoordAttention) and layer.mid_channels == 8


def plugin_layers(backbone, stage):
    res_layer = getattr(backbone, backbone.res_layers[stage])
    return [getattr(block, name) for block in res_layer
            for name in getattr(block, 'after_conv2_plugin_names', [])]


@pytest.mark.parametrize('config,scope', [
    ('configs/plugins/faster-rcnn_r50_ca_fpn_1x_coco.py', 'mmdet'),
    ('configs/plugins/deeplabv3_r50-d8_ca_cityscapes.py', 'mmseg'),
])
def test_example_configs_build_and_run(config, scope, repo_root):
    cfg = Config.fromfile(osp.join(repo_root, config))
    init_default_scope(scope)
    if scope == 'mmseg':     # SyncBN needs CUDA; plain BN on this CPU test
        bn = dict(type='BN', requires_grad=True)
        for part in ('backbone', 'decode_head', 'auxiliary_head'):
            cfg.model[part].norm_cfg = bn
        cfg.model.data_preprocessor.size = None
    cfg.model.backbone.init_cfg = None           # no weights download here
    from mmengine.registry import MODELS
    model = MODELS.build(cfg.model).eval()
    backbone = model.backbone
    assert plugin_layers(backbone, 0) == []
    for stage, planes in [(1, 128), (2, 256), (3, 512)]:
        layers = plugin_layers(backbone, stage)
        assert layers and all(isinstance(m, CoordAttention) for m in layers)
        assert {m.in_channels for m in layers} == {planes}
    x = torch.randn(1, 3, 96, 128)
    with torch.no_grad():
        if scope == 'mmdet':     # FPN levels at strides 4..64
            sizes = [tuple(o.shape[-2:]) for o in model.extract_feat(x)]
            assert sizes == [(24, 32), (12, 16), (6, 8), (3, 4), (2, 2)]
        else:                    # DeepLabV3 logits at 1/8, 19 classes
            assert model(x, mode='tensor').shape == (1, 19, 12, 16)
