import pytest

from mmca.models import (ATTENTION_TYPES, CBAM, CoordAttention,
                         SqueezeExcitation, build_attention)


def test_builds_each_registered_type_for_the_given_width():
    for name, cls in [('CoordAttention', CoordAttention),
                      ('SqueezeExcitation', SqueezeExcitation),
                      ('CBAM', CBAM)]:
        module = build_attention(dict(type=name, reduction=16), 64)
        assert type(module) is cls
        assert module.in_channels == 64 and module.mid_channels == 8
    assert set(ATTENTION_TYPES) == {'CoordAttention', 'SqueezeExcitation', 'CBAM'}


def test_none_means_no_attention():
    assert build_attention(None, 64) is None


def test_cfg_is_not_mutated():
    cfg = dict(type='CoordAttention', reduction=16)
    build_attention(cfg, 32)
    assert cfg == dict(type='CoordAttention', reduction=16)


def test_unknown_type_lists_the_registered_ones():
    with pytest.raises(KeyError) as err:
        build_attention(dict(type='CoordAtention'), 64)
    message = str(err.value)
    assert "'CoordAtention'" in message
    for name in ATTENTION_TYPES:
        assert name in message


def test_malformed_cfg_says_what_is_expected():
    with pytest.raises(TypeError, match='dict with a "type" key'):
        build_attention('ca', 64)
    with pytest.raises(TypeError, match='dict with a "type" key'):
        build_attention(dict(reduction=8), 64)
