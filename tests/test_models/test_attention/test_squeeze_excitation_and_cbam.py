"""SE and CBAM against plain formulations, SE as MobileNetV3 and EfficientNet
build it against timm's, and their shared interface."""
import pytest
import timm
import torch
import torch.nn.functional as F

from mmca.models import (CBAM, EFFICIENTNET_SE, MOBILENETV3_SE, CoordAttention,
                         SqueezeExcitation)


def randomised(module):
    torch.manual_seed(0)
    for p in module.parameters():
        p.data.normal_(0, 0.3)
    return module.eval()


def test_se_matches_plain_formulation():
    module = randomised(SqueezeExcitation(48))
    assert module.mid_channels == 8          # max(8, 48 // 24)
    x = torch.randn(2, 48, 5, 9)
    z = F.adaptive_avg_pool2d(x, 1).flatten(1)                       # N, C
    hidden = F.relu6(z @ module.conv1.weight.flatten(1).t()
                     + module.conv1.bias)
    gate = torch.sigmoid(hidden @ module.conv2.weight.flatten(1).t()
                         + module.conv2.bias)
    torch.testing.assert_close(module(x), x * gate[:, :, None, None])


def test_cbam_matches_plain_formulation():
    module = randomised(CBAM(32, reduction=4))
    bn = module.spatial_conv.bn
    bn.running_mean.fill_(0.1)
    bn.running_var.fill_(1.5)
    x = torch.randn(2, 32, 6, 7)

    def mlp(v):
        w1, b1 = (module.channel_mlp[0].weight.flatten(1),
                  module.channel_mlp[0].bias)
        w2, b2 = (module.channel_mlp[2].weight.flatten(1),
                  module.channel_mlp[2].bias)
        return F.relu(v @ w1.t() + b1) @ w2.t() + b2

    channel_gate = torch.sigmoid(
        mlp(F.adaptive_avg_pool2d(x, 1).flatten(1)) +
        mlp(F.adaptive_max_pool2d(x, 1).flatten(1)))
    x1 = x * channel_gate[:, :, None, None]
    pooled = torch.stack([x1.mean(1), x1.max(1).values], dim=1)
    s = F.conv2d(pooled, module.spatial_conv.conv.weight, padding=3)
    s = ((s - 0.1) / torch.sqrt(torch.tensor(1.5) + bn.eps) * bn.weight[0]
         + bn.bias[0])
    torch.testing.assert_close(module(x), x1 * torch.sigmoid(s),
                               atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('cls', [CoordAttention, SqueezeExcitation, CBAM])
@pytest.mark.parametrize('shape',
                         [(1, 24, 1, 1), (2, 24, 1, 7), (2, 24, 9, 4)])
def test_same_interface_any_shape(cls, shape):
    module = cls(in_channels=24, reduction=8, min_channels=8, init_cfg=None)
    assert module.mid_channels == 8
    x = torch.randn(shape)
    assert module.eval()(x).shape == x.shape


def copy_se_weights(ours, timm_se):
    ours.conv1.load_state_dict(timm_se.conv_reduce.state_dict())
    ours.conv2.load_state_dict(timm_se.conv_expand.state_dict())


def test_mobilenetv3_se_is_timms_with_its_width_act_and_gate():
    reference = timm.create_model('mobilenetv3_large_100').blocks[2][0].se
    se = SqueezeExcitation(72, **{k: v for k, v in MOBILENETV3_SE.items()
                                  if k != 'type'}).eval()
    # 72 / 4 = 18, rounded to a multiple of 8 without losing 10%: 24
    assert se.mid_channels == reference.conv_reduce.out_channels == 24
    randomised(reference)
    copy_se_weights(se, reference)
    x = torch.randn(2, 72, 5, 7) * 3
    torch.testing.assert_close(se(x), reference(x))
    assert isinstance(se.gate, torch.nn.Hardsigmoid)


def test_efficientnet_se_squeezes_the_block_input_as_timms():
    # the first block of stage 1: 16 channels in, 96 after the expansion
    reference = timm.create_model('efficientnet_b0').blocks[1][0].se
    se = SqueezeExcitation(96, block_in_channels=16,
                           **{k: v for k, v in EFFICIENTNET_SE.items()
                              if k != 'type'}).eval()
    assert se.mid_channels == reference.conv_reduce.out_channels == 4
    randomised(reference)
    copy_se_weights(se, reference)
    x = torch.randn(2, 96, 6, 4)
    torch.testing.assert_close(se(x), reference(x))


def test_block_input_squeeze_without_the_block_width_is_refused():
    with pytest.raises(ValueError, match='needs block_in_channels'):
        SqueezeExcitation(96, squeeze_from='block_input')
    with pytest.raises(ValueError, match='squeeze_from must be one of'):
        SqueezeExcitation(96, squeeze_from='output')


def test_se_without_bias_has_only_the_two_weights():
    se = SqueezeExcitation(64, bias=False)
    assert [name for name, _ in se.named_parameters()] == [
        'conv1.weight', 'conv2.weight']
