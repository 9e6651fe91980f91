"""The ImageNet configs: the paper's models, sizes and recipe, and the
networks with an SE of their own on mmpretrain's recipes, in mmpretrain."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.registry import MODELS as MMCA_MODELS
from mmengine.registry import init_default_scope

from mmca.cli import load_config
from mmca.utils.complexity import (OWN_SE, PAPER_IMAGENET, SE_NETWORKS,
                                   count_params, imagenet_model)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', '*_imagenet.py')))
#: config -> the (backbone, attention) row of the paper's ImageNet table
PAPER_ROWS = {
    'mbv2_imagenet.py': ('MobileNetV2CA', None),
    'mbv2_se_imagenet.py': ('MobileNetV2CA', 'SqueezeExcitation'),
    'mbv2_cbam_imagenet.py': ('MobileNetV2CA', 'CBAM'),
    'mbv2_ca_imagenet.py': ('MobileNetV2CA', 'CoordAttention'),
    'mnext_imagenet.py': ('MobileNeXtCA', None),
    'mnext_se_imagenet.py': ('MobileNeXtCA', 'SqueezeExcitation'),
    'mnext_ca_imagenet.py': ('MobileNeXtCA', 'CoordAttention'),
}
#: config -> the (backbone, attention) row that get_flops.py --paper-table
#: adds for the networks with an SE of their own
SE_NETWORK_ROWS = {
    'mbv3-large_plain_imagenet.py': ('MobileNetV3LargeCA', None),
    'mbv3-large_imagenet.py': ('MobileNetV3LargeCA', OWN_SE),
    'mbv3-large_ca_imagenet.py': ('MobileNetV3LargeCA', 'CoordAttention'),
    'mbv3-small_plain_imagenet.py': ('MobileNetV3SmallCA', None),
    'mbv3-small_imagenet.py': ('MobileNetV3SmallCA', OWN_SE),
    'mbv3-small_ca_imagenet.py': ('MobileNetV3SmallCA', 'CoordAttention'),
    'effb0_plain_imagenet.py': ('EfficientNetB0CA', None),
    'effb0_imagenet.py': ('EfficientNetB0CA', OWN_SE),
    'effb0_ca_imagenet.py': ('EfficientNetB0CA', 'CoordAttention'),
}
#: baseline config -> the mmpretrain recipe it follows
MMPRETRAIN_RECIPES = {
    'mbv3-large_imagenet.py':
    'mobilenet_v3/mobilenet-v3-large_8xb128_in1k.py',
    'mbv3-small_imagenet.py':
    'mobilenet_v3/mobilenet-v3-small_8xb128_in1k.py',
    'effb0_imagenet.py': 'efficientnet/efficientnet-b0_8xb32_in1k.py',
}


def build_classifier(path):
    cfg = load_config(path)
    init_default_scope('mmpretrain')
    from mmpretrain.registry import MODELS
    model = dict(cfg.model, data_preprocessor=cfg.data_preprocessor)
    return cfg, MODELS.build(model).eval()


def test_every_row_of_the_paper_table_has_a_config():
    assert {osp.basename(c) for c in CONFIGS} == (set(PAPER_ROWS)
                                                  | set(SE_NETWORK_ROWS))
    assert set(PAPER_ROWS.values()) == set(PAPER_IMAGENET)
    assert set(SE_NETWORK_ROWS.values()) == {
        (backbone, attention) for backbone in SE_NETWORKS
        for attention in (None, OWN_SE, 'CoordAttention')}


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_model_is_the_counted_paper_model(path):
    cfg, model = build_classifier(path)
    backbone, attention = {**PAPER_ROWS,
                           **SE_NETWORK_ROWS}[osp.basename(path)]
    assert cfg.default_scope == 'mmpretrain'
    assert type(model.backbone).__name__ == backbone
    # get_flops.py --paper-table counts this model
    assert count_params(model) == count_params(
        imagenet_model(backbone, attention))
    if (backbone, attention) in PAPER_IMAGENET:
        paper_params = PAPER_IMAGENET[(backbone, attention)][0]
        assert abs(count_params(model) / 1e6 - paper_params) < 0.16
    with torch.no_grad():
        logits = model(torch.randn(2, 3, 224, 224), mode='tensor')
    assert logits.shape == (2, 1000)


def test_mobilenet_v2_sizes_are_the_paper_s_to_the_parameter():
    _, plain = build_classifier(osp.join(REPO, 'configs/mbv2_imagenet.py'))
    _, ca = build_classifier(osp.join(REPO, 'configs/mbv2_ca_imagenet.py'))
    assert count_params(plain) == 3_504_872
    assert count_params(ca) == 3_950_648


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_attention_configs_differ_from_their_baseline_by_the_attention(path):
    name = osp.basename(path)
    baseline = name.split('_')[0] + '_imagenet.py'
    cfg = load_config(path).to_dict()
    base = load_config(osp.join(REPO, 'configs', baseline)).to_dict()
    cfg['model']['backbone'].pop('attention')
    base['model']['backbone'].pop('attention')
    assert cfg == base


def test_recipe_is_the_paper_s():
    cfg = load_config(osp.join(REPO, 'configs/mbv2_ca_imagenet.py'))
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.momentum,
            optimizer.weight_decay) == ('SGD', 0.05, 0.9, 4e-5)
    assert cfg.train_cfg.max_epochs == 200
    assert cfg.param_scheduler.type == 'CosineAnnealingLR'
    assert cfg.param_scheduler.T_max == 200
    assert (cfg.train_dataloader.batch_size * 8
            == cfg.auto_scale_lr.base_batch_size == 256)
    assert [t.type for t in cfg.train_pipeline] == [
        'LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip', 'PackInputs']
    assert cfg.train_pipeline[1].scale == 224
    # none of label smoothing, mixup/cutmix, random erasing, RandAugment
    assert cfg.model.head.loss == dict(type='CrossEntropyLoss',
                                       loss_weight=1.0)
    assert 'train_cfg' not in cfg.model
    assert cfg.model.head.drop_rate == 0.1
    assert (cfg.val_evaluator.type,
            cfg.val_evaluator.topk) == ('Accuracy', (1, 5))


@pytest.mark.parametrize('name', MMPRETRAIN_RECIPES)
def test_se_network_baseline_is_the_network_with_its_own_se(name):
    cfg = load_config(osp.join(REPO, 'configs', name))
    backbone = MMCA_MODELS.get(cfg.model.backbone.type)
    assert cfg.model.backbone.attention == backbone.own_attention


def without_scope(cfg):
    """``cfg`` without the ``_scope_`` keys mmengine adds to what a config
    inherits from another package."""
    if isinstance(cfg, dict):
        return {k: without_scope(v) for k, v in cfg.items() if k != '_scope_'}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(without_scope(v) for v in cfg)
    return cfg


@pytest.mark.parametrize('name, recipe', MMPRETRAIN_RECIPES.items())
def test_se_network_recipe_is_mmpretrain_s(name, recipe):
    import mmpretrain
    cfg = without_scope(load_config(osp.join(REPO, 'configs', name)).to_dict())
    ref = load_config(
        osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'configs',
                 recipe)).to_dict()
    for key in ('optim_wrapper', 'param_scheduler', 'train_cfg',
                'train_dataloader', 'val_dataloader', 'data_preprocessor',
                'auto_scale_lr'):
        assert cfg[key] == ref[key], key
    assert cfg['model']['head'] == ref['model']['head']
    assert cfg['model']['neck'] == ref['model']['neck']
