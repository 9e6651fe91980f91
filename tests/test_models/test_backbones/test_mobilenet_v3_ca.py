"""MobileNetV3-Large and -Small with an attention slot: with their own SE
they are mmpretrain's and timm's MobileNetV3, and CA takes the SE's places.
"""
import pytest
import timm
import torch
import torch.nn as nn
from reference_networks import randomized, timm_stage_maps

import mmca.models.timm_models  # noqa: F401  (registers the timm models)
from mmca.models import (MOBILENETV3_SE, CoordAttention, MobileNetV3LargeCA,
                         MobileNetV3SmallCA)
from mmca.models.converters import mmpretrain_to_mmca, timm_to_mmca
from mmca.utils.complexity import count_params

BACKBONES = {'large': MobileNetV3LargeCA, 'small': MobileNetV3SmallCA}
# mmpretrain's MobileNetV3 has a layer per block, after the stem (layer0):
# the layers that end our stages (and the final 1x1 conv, the last layer).
MMPRETRAIN_STAGE_ENDS = {'large': (1, 3, 6, 10, 12, 15, 16),
                         'small': (1, 3, 6, 8, 11, 12)}
# mmpretrain's and torchvision's MobileNetV3 norm
MMPRETRAIN_NORM = dict(type='BN', eps=1e-3)


def all_stages(cls, **kwargs):
    return cls(out_indices=range(cls.num_stages), **kwargs).eval()


@pytest.mark.parametrize('arch', ['large', 'small'])
def test_with_its_own_se_it_is_mmpretrains_mobilenetv3(arch):
    from mmpretrain.models import MobileNetV3
    reference = randomized(
        MobileNetV3(arch=arch, out_indices=MMPRETRAIN_STAGE_ENDS[arch]))
    cls = BACKBONES[arch]
    ours = all_stages(cls, attention=MOBILENETV3_SE,
                      norm_cfg=MMPRETRAIN_NORM)
    result = ours.load_state_dict(
        mmpretrain_to_mmca(reference.state_dict(), cls.__name__))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert count_params(ours) == count_params(reference)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        got, want = ours(x), reference(x)
    assert len(got) == len(want) == cls.num_stages
    for stage_got, stage_want in zip(got, want):
        torch.testing.assert_close(stage_got, stage_want, rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize('arch', ['large', 'small'])
def test_with_its_own_se_it_is_timms_mobilenetv3_with_the_same_logits(arch):
    reference = randomized(
        timm.create_model(f'mobilenetv3_{arch}_100', pretrained=False))
    cls = BACKBONES[arch]
    ours = timm.create_model(f'mobilenetv3_{arch}_ca_100',
                             attention=MOBILENETV3_SE).eval()
    result = ours.load_state_dict(
        timm_to_mmca(reference.state_dict(), cls.__name__))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert count_params(ours) == count_params(reference)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        got = ours.forward_intermediates(x, intermediates_only=True)
        want = timm_stage_maps(reference, x)
        logits, reference_logits = ours(x), reference(x)
    assert len(got) == len(want) == cls.num_stages
    for stage_got, stage_want in zip(got, want):
        torch.testing.assert_close(stage_got, stage_want, rtol=1e-5,
                                   atol=1e-6)
    torch.testing.assert_close(logits, reference_logits, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize('arch', ['large', 'small'])
def test_ca_takes_the_places_of_timms_se_with_its_own_width(arch):
    reference = timm.create_model(f'mobilenetv3_{arch}_100')
    with_se = [not isinstance(block.se, nn.Identity)
               for stage in reference.blocks[:-1] for block in stage]
    ours = all_stages(BACKBONES[arch])
    blocks = [block for name in ours.stage_names[:-1]
              for block in getattr(ours, name)]
    assert [block.attention is not None for block in blocks] == with_se
    for block in blocks:
        if block.attention is not None:
            channels = block.depthwise_conv.conv.out_channels
            assert isinstance(block.attention, CoordAttention)
            assert block.attention.in_channels == channels
            assert block.attention.mid_channels == max(8, channels // 32)
    assert sum(isinstance(m, CoordAttention)
               for m in ours.modules()) == sum(with_se)
    plain = all_stages(BACKBONES[arch], attention=None)
    assert all(block.attention is None for name in plain.stage_names[:-1]
               for block in getattr(plain, name))


@pytest.mark.parametrize('arch,shapes', [
    ('large', [(24, 16), (40, 8), (112, 4), (960, 2)]),
    ('small', [(16, 16), (24, 8), (48, 4), (576, 2)]),
])
def test_default_outputs_are_the_last_stage_at_strides_4_to_32(arch, shapes):
    outs = BACKBONES[arch]().eval()(torch.randn(1, 3, 64, 64))
    assert [(o.shape[1], o.shape[2]) for o in outs] == shapes


def test_output_stride_8_dilates_every_block_of_the_later_stages():
    model = MobileNetV3LargeCA(strides=(1, 2, 2, 1, 1, 1),
                               dilations=(1, 1, 1, 2, 2, 4),
                               out_indices=(2, 5)).eval()
    outs = model(torch.randn(1, 3, 64, 64))
    assert [tuple(o.shape[1:]) for o in outs] == [(40, 8, 8), (160, 8, 8)]
    for block in model.layer6:
        conv = block.depthwise_conv.conv
        assert conv.kernel_size == (5, 5) and conv.dilation == (4, 4)
        assert conv.padding == (8, 8)
    # stages after the last requested one are not built
    assert not hasattr(model, 'conv2') and model.out_channels == 160


def test_out_index_minus_one_is_the_stem_as_mmsegs_small_lraspp_reads():
    model = MobileNetV3SmallCA(strides=(2, 2, 1, 1, 1),
                               dilations=(1, 1, 2, 2, 4),
                               out_indices=(-1, 0, 5)).eval()
    x = torch.randn(1, 3, 64, 64)
    stem, block, last = model(x)
    assert torch.equal(stem, model.conv1(x))
    assert [tuple(o.shape[1:]) for o in (stem, block, last)] == [
        (16, 32, 32), (16, 16, 16), (576, 8, 8)]
    with pytest.raises(ValueError, match=r'range\(-1, 6\) \(-1: the stem\)'):
        MobileNetV3SmallCA(out_indices=(-2, 0))


def test_each_block_has_the_activation_of_its_row():
    model = all_stages(MobileNetV3LargeCA)
    blocks = [block for name in model.stage_names[:-1]
              for block in getattr(model, name)]
    acts = [type(block.depthwise_conv.activate).__name__ for block in blocks]
    assert acts == ['ReLU'] * 6 + ['Hardswish'] * 9
    assert type(model.conv1.activate) is nn.Hardswish
    assert type(model.conv2.activate) is nn.Hardswish


def test_stage_mask_keeps_attention_to_the_se_blocks_of_its_stages():
    mask = (False, ) * 4 + (True, True)
    model = all_stages(MobileNetV3LargeCA, stage_with_attention=mask)
    with_attention = [
        [block.attention is not None for block in getattr(model, name)]
        for name in model.stage_names[:-1]]
    assert with_attention == [[False], [False] * 2, [False] * 3,
                              [False] * 4, [True] * 2, [True] * 3]
