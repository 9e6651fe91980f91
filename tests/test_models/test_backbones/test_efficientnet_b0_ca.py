"""EfficientNet-B0 with an attention slot: with its own SE it is
mmpretrain's and timm's EfficientNet-B0, and CA takes the SE's places."""
import timm
import torch
from reference_networks import randomized, timm_stage_maps

import mmca.models.timm_models  # noqa: F401  (registers the timm models)
from mmca.models import EFFICIENTNET_SE, CoordAttention, EfficientNetB0CA
from mmca.models.converters import mmpretrain_to_mmca, timm_to_mmca
from mmca.utils.complexity import count_params

# mmpretrain's EfficientNet joins the stages of one stride into a layer:
# its layers 1..6 end our stages 0, 1, 2, 4, 6 and 7.
MMPRETRAIN_LAYERS = (1, 2, 3, 4, 5, 6)
OUR_STAGES = (0, 1, 2, 4, 6, 7)


def all_stages(**kwargs):
    return EfficientNetB0CA(out_indices=range(8), **kwargs).eval()


def test_with_its_own_se_it_is_mmpretrains_efficientnet_b0():
    from mmpretrain.models import EfficientNet
    reference = randomized(
        EfficientNet(arch='b0', out_indices=MMPRETRAIN_LAYERS))
    # mmpretrain's defaults: TensorFlow's padding and BN eps
    ours = EfficientNetB0CA(
        attention=EFFICIENTNET_SE, out_indices=OUR_STAGES,
        conv_cfg=dict(type='Conv2dAdaptivePadding'),
        norm_cfg=dict(type='BN', eps=1e-3)).eval()
    result = ours.load_state_dict(
        mmpretrain_to_mmca(reference.state_dict(), 'EfficientNetB0CA'))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert count_params(ours) == count_params(reference)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        got, want = ours(x), reference(x)
    assert len(got) == len(want) == 6
    for stage_got, stage_want in zip(got, want):
        # mmpretrain's Swish is x * sigmoid(x), ours torch's SiLU
        torch.testing.assert_close(stage_got, stage_want, rtol=1e-5,
                                   atol=1e-5)


def test_with_its_own_se_it_is_timms_efficientnet_b0_with_the_same_logits():
    reference = randomized(
        timm.create_model('efficientnet_b0', pretrained=False))
    ours = timm.create_model('efficientnet_b0_ca',
                             attention=EFFICIENTNET_SE).eval()
    result = ours.load_state_dict(
        timm_to_mmca(reference.state_dict(), 'EfficientNetB0CA'))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert count_params(ours) == count_params(reference)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        got = ours.forward_intermediates(x, intermediates_only=True)
        want = timm_stage_maps(reference, x)
        want.append(reference.bn2(reference.conv_head(want[-1])))
        logits, reference_logits = ours(x), reference(x)
    assert len(got) == len(want) == EfficientNetB0CA.num_stages
    for stage_got, stage_want in zip(got, want):
        torch.testing.assert_close(stage_got, stage_want, rtol=1e-5,
                                   atol=1e-6)
    torch.testing.assert_close(logits, reference_logits, rtol=1e-5,
                               atol=1e-6)


def test_its_se_squeezes_the_block_input_to_timms_widths():
    reference = timm.create_model('efficientnet_b0')
    timm_widths = [block.se.conv_reduce.out_channels
                   for stage in reference.blocks for block in stage]
    ours = all_stages(attention=EFFICIENTNET_SE)
    blocks = [block for name in ours.stage_names[:-1]
              for block in getattr(ours, name)]
    assert [b.attention.mid_channels for b in blocks] == timm_widths
    # a quarter of the block's input, not of the expanded width it gates
    assert timm_widths[1] == 16 // 4 != blocks[1].attention.in_channels // 4


def test_ca_takes_the_place_of_the_se_in_every_block_with_its_own_width():
    model = all_stages()
    blocks = [block for name in model.stage_names[:-1]
              for block in getattr(model, name)]
    assert len(blocks) == 16
    for block in blocks:
        channels = block.depthwise_conv.conv.out_channels
        assert isinstance(block.attention, CoordAttention)
        assert block.attention.in_channels == channels
        assert block.attention.mid_channels == max(8, channels // 32)
    plain = all_stages(attention=None)
    assert not any(isinstance(m, CoordAttention) for m in plain.modules())


def test_default_outputs_are_the_last_stage_at_strides_4_to_32():
    outs = EfficientNetB0CA().eval()(torch.randn(1, 3, 64, 64))
    assert [tuple(o.shape[1:]) for o in outs] == [
        (24, 16, 16), (40, 8, 8), (112, 4, 4), (1280, 2, 2)]


def test_stage_mask_keeps_attention_to_its_stages():
    mask = (False, ) * 3 + (True, ) * 4
    model = all_stages(stage_with_attention=mask)
    for name, with_attention in zip(model.stage_names, mask):
        assert all((block.attention is not None) == with_attention
                   for block in getattr(model, name))
