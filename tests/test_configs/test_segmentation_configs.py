"""Every DeepLabV3 config builds, predicts full-size masks, at the paper's
size; the LRASPP configs are mmseg's MobileNetV3 LRASPP with our backbone."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.registry import MODELS as MMCA_MODELS
from mmengine.registry import init_default_scope

from mmca.cli import load_config
from mmca.engine import replace_sync_bn

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'deeplabv3_*.py')))
# DeepLabV3 sizes of the paper (Table 7), in M parameters, aux head excluded
PAPER_SIZES = {'deeplabv3_mbv2_d8_cityscapes.py': 4.5,
               'deeplabv3_mbv2_se_d8_cityscapes.py': 4.9,
               'deeplabv3_mbv2_cbam_d8_cityscapes.py': 4.9,
               'deeplabv3_mbv2_ca_d8_cityscapes.py': 5.0,
               'deeplabv3_mbv2_d8_voc.py': 4.5,
               'deeplabv3_mbv2_ca_d8_voc.py': 5.0,
               'deeplabv3_mbv2_d16_voc.py': 4.5,
               'deeplabv3_mbv2_ca_d16_voc.py': 5.0}
LRASPP_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'lraspp_*.py')))
#: LRASPP baseline -> the mmseg recipe it follows
MMSEG_RECIPES = {
    'lraspp_mbv3-large_d8_cityscapes.py':
    'mobilenet_v3/mobilenet-v3-d8_lraspp_4xb4-320k_cityscapes-512x1024.py',
    'lraspp_mbv3-small_d8_cityscapes.py':
    'mobilenet_v3/mobilenet-v3-d8-s_lraspp_4xb4-320k_cityscapes-512x1024.py',
}


def build_segmentor(path):
    cfg = load_config(path)
    init_default_scope('mmseg')
    from mmseg.registry import MODELS
    cfg.model.backbone.init_cfg = None            # no pretrained weights here
    return cfg, MODELS.build(replace_sync_bn(cfg.model)).eval()


def test_every_config_has_a_paper_size():
    assert {osp.basename(c) for c in CONFIGS} == set(PAPER_SIZES)


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_size_matches_the_paper(path):
    _, model = build_segmentor(path)
    params = sum(p.numel() for name, p in model.named_parameters()
                 if not name.startswith('auxiliary_head'))
    paper = PAPER_SIZES[osp.basename(path)]
    assert abs(params / 1e6 - paper) / paper < 0.06, params


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_predicts_a_full_size_mask_for_any_image_size(path):
    from mmseg.structures import SegDataSample
    cfg, model = build_segmentor(path)
    assert cfg.default_scope == 'mmseg'
    num_classes = 21 if path.endswith('_voc.py') else 19
    assert model.decode_head.num_classes == num_classes
    stride = 16 if '_d16_' in path else 8
    assert (model.backbone.layer7[0].depthwise_conv.conv.dilation[0]
            == 32 // stride)
    # 97 x 131 divides neither output stride
    images = [torch.randint(0, 255, (3, 97, 131), dtype=torch.uint8)]
    samples = [SegDataSample(metainfo=dict(img_shape=(97, 131),
                                           ori_shape=(97, 131)))]
    data = model.data_preprocessor(dict(inputs=images, data_samples=samples),
                                   False)
    with torch.no_grad():
        result, = model(**data, mode='predict')
    mask = result.pred_sem_seg.data
    assert mask.shape == (1, 97, 131)
    assert int(mask.max()) < num_classes
    assert result.seg_logits.data.shape == (num_classes, 97, 131)


def test_ca_config_differs_from_its_baseline_by_the_attention():
    ca = load_config(
        osp.join(REPO, 'configs', 'deeplabv3_mbv2_ca_d8_cityscapes.py'))
    plain = load_config(
        osp.join(REPO, 'configs', 'deeplabv3_mbv2_d8_cityscapes.py'))
    for cfg in (ca, plain):
        cfg.model.backbone.pop('attention')
        cfg.model.backbone.pop('init_cfg')
    assert ca.model.to_dict() == plain.model.to_dict()


def test_every_lraspp_config_is_a_baseline_or_its_ca_twin():
    assert {osp.basename(c) for c in LRASPP_CONFIGS} == {
        f'lraspp_mbv3-{size}{ca}_d8_cityscapes.py'
        for size in ('large', 'small') for ca in ('', '_ca')}


@pytest.mark.parametrize('path', LRASPP_CONFIGS, ids=osp.basename)
def test_lraspp_head_reads_stride_2_4_8_maps_and_predicts_full_size(path):
    from mmseg.structures import SegDataSample
    cfg, model = build_segmentor(path)
    assert cfg.default_scope == 'mmseg'
    assert type(model.decode_head).__name__ == 'LRASPPHead'
    with torch.no_grad():
        maps = model.backbone(torch.randn(1, 3, 64, 128))
    assert [m.shape[1] for m in maps] == list(model.decode_head.in_channels)
    assert [64 // m.shape[2] for m in maps] == [2, 4, 8]
    # mmseg's LRASPP pools 49 x 49 windows of the stride-8 map: an image of
    # at least 392 pixels a side, here one that divides no stride
    images = [torch.randint(0, 255, (3, 393, 401), dtype=torch.uint8)]
    samples = [SegDataSample(metainfo=dict(img_shape=(393, 401),
                                           ori_shape=(393, 401)))]
    data = model.data_preprocessor(dict(inputs=images, data_samples=samples),
                                   False)
    with torch.no_grad():
        result, = model(**data, mode='predict')
    assert result.pred_sem_seg.data.shape == (1, 393, 401)
    assert result.seg_logits.data.shape == (19, 393, 401)


@pytest.mark.parametrize('name, recipe', MMSEG_RECIPES.items())
def test_lraspp_baseline_is_mmseg_s_model_to_the_parameter(name, recipe):
    import mmseg
    from mmseg.registry import MODELS
    cfg, model = build_segmentor(osp.join(REPO, 'configs', name))
    backbone = MMCA_MODELS.get(cfg.model.backbone.type)
    assert cfg.model.backbone.attention == backbone.own_attention
    ref = load_config(
        osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs', recipe))
    ref_model = MODELS.build(replace_sync_bn(ref.model))
    assert (sum(p.numel() for p in model.parameters())
            == sum(p.numel() for p in ref_model.parameters()))
    assert cfg.model.decode_head == ref.model.decode_head
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.train_cfg.max_iters == 320_000


@pytest.mark.parametrize('size', ['large', 'small'])
def test_lraspp_ca_config_differs_from_its_baseline_by_the_attention(size):
    ca = load_config(
        osp.join(REPO, 'configs', f'lraspp_mbv3-{size}_ca_d8_cityscapes.py'))
    base = load_config(
        osp.join(REPO, 'configs', f'lraspp_mbv3-{size}_d8_cityscapes.py'))
    assert ca.model.backbone.attention == dict(type='CoordAttention')
    for cfg in (ca, base):
        cfg.model.backbone.pop('attention')
        cfg.model.backbone.pop('init_cfg')
    assert ca.to_dict() == base.to_dict()
