import pytest
import torch

from mmca.models import (ATTENTION_TYPES, CBAM, CoordAttention,
                         SqueezeExcitation, build_attention)


def test_builds_each_registered_type_for_the_given_width():
    for name, cls in [('CoordAttention', CoordAttention),
                      ('SqueezeExcitation', SqueezeExcitation),
                      ('CBAM', CBAM)]:
        module = build_attention(dict(type=name, reduction=16), 64)
        assert type(module) is cls
        assert module.in_channels == 64 and module.mid_channels == 8
    assert set(ATTENTION_TYPES) == {'CoordAttention', 'SqueezeExcitation',
                                    'CBAM'}


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


@pytest.mark.parametrize('type_', ATTENTION_TYPES)
def test_inplace_reaches_every_mmca_type_and_works_at_inference(type_):
    """Blocks pass inplace=True: each type then gates its input in place
    without grad, and leaves it alone with autograd, giving the same
    result as the out-of-place module."""
    torch.manual_seed(0)
    module = build_attention(dict(type=type_), 32, inplace=True).eval()
    assert module.inplace
    reference = build_attention(dict(type=type_), 32)
    reference.load_state_dict(module.state_dict())
    reference.eval()
    x = torch.rand(2, 32, 7, 9)
    want = reference(x)
    y = x.clone().requires_grad_()
    assert torch.equal(module(y).detach(), want.detach())
    with torch.no_grad():
        out = module(x)
    assert out.data_ptr() == x.data_ptr()
    torch.testing.assert_close(x, want.detach(), atol=1e-5, rtol=1e-5)


def test_inplace_is_left_to_types_that_do_not_take_it():
    module = build_attention(dict(type=torch.nn.Identity), 8, inplace=True)
    assert isinstance(module, torch.nn.Identity)


def test_cfg_inplace_wins():
    module = build_attention(dict(type='CoordAttention', inplace=False), 32,
                             inplace=True)
    assert not module.inplace


def test_the_block_input_width_reaches_only_attentions_that_take_it():
    se = build_attention(dict(type='SqueezeExcitation', reduction=4,
                              min_channels=1, squeeze_from='block_input'),
                         96, block_in_channels=16)
    assert se.mid_channels == 16 // 4
    ca = build_attention(dict(type='CoordAttention'), 96,
                         block_in_channels=16)
    assert ca.mid_channels == max(8, 96 // 32)
