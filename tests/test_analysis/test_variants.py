"""compare_attention.py's variants: each builds the demo model it names,
its attention replaces the demo's whole, and the config written for it
is the demo config with its overrides."""
import copy
import functools

import pytest
import torch
from mmengine.config import Config

from mmca.analysis import (TASKS, VARIANTS, check_variants, variant_overrides,
                           write_variant_config)
from mmca.apis import build_inference_model
from mmca.cli import load_config
from mmca.models import (CBAM, CoordAttention, EfficientNetB0CA, MobileNetV2CA,
                         MobileNetV3LargeCA, MobileNetV3SmallCA,
                         SqueezeExcitation)
from mmca.utils import InputError

CONFIG = TASKS['positions'][0]
ATTENTIONS = (CoordAttention, SqueezeExcitation, CBAM)


@functools.lru_cache(maxsize=None)
def demo_config():
    return load_config(CONFIG)


def variant_config(name):
    """The demo config with the variant's overrides (as ``load_config``
    applies them, without reading the files again)."""
    cfg = copy.deepcopy(demo_config())
    cfg.merge_from_dict(variant_overrides(name))
    return cfg


@functools.lru_cache(maxsize=None)
def model(name):
    return build_inference_model(variant_config(name))


def attentions(name):
    return [m for m in model(name).modules() if isinstance(m, ATTENTIONS)]


def test_each_attention_variant_builds_the_model_it_names():
    assert attentions('none') == []
    assert {type(m) for m in attentions('se')} == {SqueezeExcitation}
    assert {type(m) for m in attentions('cbam')} == {CBAM}
    paper = attentions('ca')
    assert {type(m) for m in paper} == {CoordAttention}
    for one, missing in (('ca-h', 'conv_w'), ('ca-w', 'conv_h')):
        modules = attentions(one)
        assert len(modules) == len(paper)
        assert all(getattr(m, missing, None) is None for m in modules)
    assert all(m.combine == 'softmax' for m in attentions('ca-softmax'))
    for name, act in (('ca', 'Hardswish'), ('ca-relu6', 'ReLU6'),
                      ('ca-silu', 'SiLU')):
        assert {type(m.act).__name__ for m in attentions(name)} == {act}
    wider = [(m.mid_channels, p.mid_channels)
             for m, p in zip(attentions('ca-r8'), paper)]
    assert all(r8 >= r32 for r8, r32 in wider)
    assert any(r8 > r32 for r8, r32 in wider)
    r16 = [m.mid_channels for m in attentions('ca-r16')]
    assert all(a >= b for a, b in zip(r16, [p.mid_channels for p in paper]))
    # CA in the last three of seven block stages: stages 4-6, 7 blocks
    assert len(attentions('ca-last3')) == 3 + 3 + 1


def test_ca_r32_is_the_papers_ca():
    ca, r32 = model('ca').state_dict(), model('ca-r32').state_dict()
    assert {k: v.shape for k, v in ca.items()} == \
        {k: v.shape for k, v in r32.items()}


@pytest.mark.parametrize('backbone, own, width', [
    ('mbv3-large', MobileNetV3LargeCA, 960),
    ('mbv3-small', MobileNetV3SmallCA, 576),
    ('effb0', EfficientNetB0CA, 1280)])
def test_backbone_variants_carry_their_own_se_or_ca(backbone, own, width):
    se, ca = model(f'{backbone}-se'), model(f'{backbone}-ca')
    for built in (se, ca):
        assert type(built.backbone) is own
        assert built.head.fc.in_features == width
        with torch.no_grad():
            assert built(torch.zeros(1, 3, 64, 64)).shape == (1, 3)
    se_blocks = attentions(f'{backbone}-se')
    assert {type(m) for m in se_blocks} == {SqueezeExcitation}
    # the network's own SE: its activation and gate
    assert type(se_blocks[0].act).__name__ == \
        own.own_attention['act_cfg']['type']
    assert type(se_blocks[0].gate).__name__ == own.own_attention.get(
        'gate_cfg', dict(type='Sigmoid'))['type']
    # CA where the network has its SE, and nowhere else
    ca_blocks = attentions(f'{backbone}-ca')
    assert {type(m) for m in ca_blocks} == {CoordAttention}
    assert len(ca_blocks) == len(se_blocks)


def test_the_demo_backbone_stays_where_a_variant_sets_attention_only():
    assert type(model('se').backbone) is MobileNetV2CA
    # the demo's CA options do not leak into SE (attention is replaced)
    relu6 = copy.deepcopy(demo_config())
    relu6.merge_from_dict(variant_overrides('ca-relu6'))
    relu6.merge_from_dict(variant_overrides('se'))
    assert relu6.model.backbone.attention == dict(type='SqueezeExcitation')


@pytest.mark.parametrize('name', ['none', 'ca-relu6', 'mbv3-large-se'])
def test_the_written_config_is_the_demo_with_the_overrides(name, tmp_path):
    path = write_variant_config(name, CONFIG, str(tmp_path / f'{name}.py'))
    assert Config.fromfile(path).model == variant_config(name).model


def test_an_unknown_variant_names_the_known_ones():
    with pytest.raises(InputError, match='unknown variant ca-x: the '
                       'variants are none, se, cbam, ca, ca-h'):
        check_variants(['ca', 'ca-x'])


def test_every_variant_is_checked_above():
    attention_variants = {'none', 'se', 'cbam', 'ca', 'ca-h', 'ca-w',
                          'ca-softmax', 'ca-relu6', 'ca-silu', 'ca-r8',
                          'ca-r16', 'ca-r32', 'ca-last3'}
    backbone_variants = {f'{b}-{a}' for b in ('mbv3-large', 'mbv3-small',
                                              'effb0') for a in ('se', 'ca')}
    assert set(VARIANTS) == attention_variants | backbone_variants
