"""compare_attention.py's variants: each builds the demo model it names,
and its --cfg-options entries say the same as its overrides."""
import argparse

import pytest
from mmengine.config import DictAction

from mmca.analysis import VARIANTS, check_variants
from mmca.analysis.attention_comparison import TASKS
from mmca.analysis.variants import variant_cfg_options, variant_overrides
from mmca.apis import build_inference_model
from mmca.cli import load_config
from mmca.models import CBAM, CoordAttention, SqueezeExcitation
from mmca.utils import InputError

CONFIG = TASKS['cls'][0]


def attentions(name):
    model = build_inference_model(load_config(CONFIG,
                                              variant_overrides(name)))
    return [m for m in model.modules()
            if isinstance(m, (CoordAttention, SqueezeExcitation, CBAM))]


@pytest.mark.parametrize('name', list(VARIANTS))
def test_cli_entries_parse_to_the_overrides(name):
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    parsed = parser.parse_args(['--o', *variant_cfg_options(name)]).o
    assert parsed == variant_overrides(name)


def test_each_variant_builds_the_model_it_names():
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
    wider = [(m.mid_channels, p.mid_channels)
             for m, p in zip(attentions('ca-r8'), paper)]
    assert all(r8 >= r32 for r8, r32 in wider)
    assert any(r8 > r32 for r8, r32 in wider)
    # CA in the last three of seven block stages: stages 4-6, 7 blocks
    assert len(attentions('ca-last3')) == 3 + 3 + 1


def test_an_unknown_variant_names_the_known_ones():
    with pytest.raises(InputError, match='unknown variant ca-x: the '
                       'variants are none, se, cbam, ca, ca-h'):
        check_variants(['ca', 'ca-x'])
