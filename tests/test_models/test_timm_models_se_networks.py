"""The timm models of MobileNetV3-Large, -Small and EfficientNet-B0 with CA
where their SE was: registered beside timm's own networks, one map per
stride from ``features_only``, and MobileNetV3's head with its 1x1 conv.
(With their own SE they compute timm's logits: see
``test_backbones/test_mobilenet_v3_ca.py`` and ``test_efficientnet_b0_ca.py``.)
"""
import pytest
import timm
import torch

from mmca.models import timm_models
from mmca.models.timm_models import MobileNetCAClassifier

# variant: timm's own network with SE, the channels and output strides of
# the default features_only maps
VARIANTS = {
    'mobilenetv3_large_ca_100': ('mobilenetv3_large_100',
                                 [16, 24, 40, 112, 960], [2, 4, 8, 16, 32]),
    'mobilenetv3_small_ca_100': ('mobilenetv3_small_100',
                                 [16, 24, 48, 576], [4, 8, 16, 32]),
    'efficientnet_b0_ca': ('efficientnet_b0',
                           [16, 24, 40, 112, 1280], [2, 4, 8, 16, 32]),
}


@pytest.mark.parametrize('variant', VARIANTS)
def test_variant_is_listed_beside_timms_own_with_one_entry_point(variant):
    own = VARIANTS[variant][0]
    family = own.split('_')[0] + '*'
    assert {variant, own} <= set(timm.list_models(family))
    entrypoint = timm.models.model_entrypoint(variant)
    assert entrypoint is getattr(timm_models, variant)
    assert len(entrypoint.__doc__.strip().splitlines()) == 1
    model = timm.create_model(variant)
    assert isinstance(model, MobileNetCAClassifier)
    assert model.pretrained_cfg['architecture'] == variant


@pytest.mark.parametrize('variant', VARIANTS)
def test_features_only_default_is_one_map_per_stride(variant):
    _, channels, strides = VARIANTS[variant]
    model = timm.create_model(variant, features_only=True).eval()
    assert model.feature_info.channels() == channels
    assert model.feature_info.reduction() == strides
    maps = model(torch.randn(1, 3, 64, 64))
    assert [(m.shape[1], 64 // m.shape[-1]) for m in maps] == list(
        zip(channels, strides))


@pytest.mark.parametrize('variant', VARIANTS)
def test_backward_reaches_every_parameter(variant):
    model = timm.create_model(variant, num_classes=7)
    model(torch.randn(2, 3, 64, 64)).logsumexp(1).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.parameters())


def test_mobilenetv3_head_has_its_hidden_conv_through_a_classifier_reset():
    model = timm.create_model('mobilenetv3_small_ca_100', drop_rate=0.)
    assert model.head_hidden_size == 1024 and model.num_features == 576
    model.reset_classifier(10)
    assert model.head.conv_head.out_channels == 1024
    x = torch.randn(2, 3, 64, 64)
    assert model.eval()(x).shape == (2, 10)
    pre_logits = model.forward_head(model.forward_features(x),
                                    pre_logits=True)
    assert pre_logits.shape == (2, 1024)
    torch.testing.assert_close(model.head.fc(pre_logits), model(x))


def test_pruning_to_a_stage_drops_the_mobilenetv3_head_conv():
    model = timm.create_model('mobilenetv3_large_ca_100').eval()
    assert model.prune_intermediate_layers(indices=[2]) == [2]
    assert isinstance(model.head.conv_head, torch.nn.Identity)
    x = torch.randn(1, 3, 64, 64)
    assert model.forward_features(x).shape == (1, 40, 8, 8)
    assert model(x).shape == (1, 40, 8, 8)     # no pooling, no classifier
