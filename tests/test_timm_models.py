"""The mmca networks are timm models with the weights of mmpretrain's.

Each timm variant has the state dict of the mmpretrain classifier of its
config, computes the same logits from the same weights, and loads the
checkpoints that config's runner writes.
"""
import logging
import os.path as osp

import numpy as np
import pytest
import torch

timm = pytest.importorskip('timm')

import mmca  # noqa: E402,F401
# Until mmca/__init__ imports it where timm imports, register explicitly.
import mmca.timm_models  # noqa: E402,F401
from mmca.timm_models import MobileNetCAClassifier  # noqa: E402

# timm name: the mmpretrain config whose classifier has the same weights.
CONFIGS = {
    'mobilenetv2_ca_100': 'configs/mbv2_ca_imagenet.py',
    'mobilenetv2_se_100': 'configs/mbv2_se_imagenet.py',
    'mobilenetv2_cbam_100': 'configs/mbv2_cbam_imagenet.py',
    'mobilenext_100': 'configs/mnext_imagenet.py',
    'mobilenext_ca_100': 'configs/mnext_ca_imagenet.py',
    'mobilenext_se_100': 'configs/mnext_se_imagenet.py',
}
VARIANTS = list(CONFIGS)


@pytest.fixture(scope='module')
def build_mmpretrain_classifier(repo_root):
    pytest.importorskip('mmpretrain')
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    def build(variant):
        cfg = Config.fromfile(osp.join(repo_root, CONFIGS[variant]))
        init_default_scope('mmpretrain')
        return MODELS.build(cfg.model)

    return build


def randomize_norm_statistics(model):
    """Running statistics other than the 0/1 of a fresh model."""
    generator = torch.Generator().manual_seed(0)
    for name, buffer in model.named_buffers():
        if name.endswith(('running_mean', 'running_var')):
            buffer.copy_(torch.rand(buffer.shape, generator=generator) + 0.5)
    return model


def assert_same_weights(model, weights):
    state = model.state_dict()
    assert state.keys() == weights.keys()
    for key, value in weights.items():
        assert torch.equal(state[key], value), key


def save_runner_checkpoint(path, weights):
    """A checkpoint as mmengine's runner writes it, message hub and all."""
    from mmengine.logging import HistoryBuffer
    loss = HistoryBuffer()
    loss.update(2.5)
    torch.save(
        dict(meta=dict(epoch=3, iter=300, seed=0),
             state_dict=weights,
             message_hub=dict(
                 log_scalars={'train/loss': loss},
                 runtime_info=dict(epoch=3, lr=np.array([0.05]))),
             optimizer=dict(state={}, param_groups=[dict(lr=0.05)])),
        path)
    return path


@pytest.mark.parametrize('variant', VARIANTS)
def test_variant_has_the_weights_of_its_mmpretrain_classifier(
        variant, build_mmpretrain_classifier):
    model = timm.create_model(variant)
    reference = build_mmpretrain_classifier(variant)
    assert isinstance(model, MobileNetCAClassifier)
    assert sum(p.numel() for p in model.parameters()) == sum(
        p.numel() for p in reference.parameters())
    expected = {k: v.shape for k, v in reference.state_dict().items()}
    assert {k: v.shape for k, v in model.state_dict().items()} == expected


def test_variants_are_listed_beside_timms_own_mobilenetv2():
    listed = timm.list_models(['mobilenetv2_*', 'mobilenext*'])
    assert set(listed) >= set(VARIANTS)
    assert timm.is_model('mobilenetv2_100')   # plain MobileNetV2 stays timm's
    assert not set(VARIANTS) & set(timm.list_models(pretrained=True))


def test_pretrained_cfg_describes_the_release_preprocessing():
    model = timm.create_model('mobilenext_ca_100')
    cfg = model.pretrained_cfg
    assert cfg['architecture'] == 'mobilenext_ca_100'
    assert (cfg['first_conv'], cfg['classifier']) == (
        'backbone.conv1.conv', 'head.fc')
    assert model.get_submodule(cfg['first_conv']).in_channels == 3
    assert model.get_submodule(cfg['classifier']) is model.get_classifier()
    data_cfg = timm.data.resolve_data_config({}, model=model)
    assert data_cfg['input_size'] == (3, 224, 224)
    assert (data_cfg['crop_pct'], data_cfg['interpolation']) == (
        0.875, 'bilinear')
    assert data_cfg['mean'] == timm.data.IMAGENET_DEFAULT_MEAN


@pytest.mark.parametrize('variant', VARIANTS)
def test_logits_equal_the_mmpretrain_classifier_with_its_weights(
        variant, build_mmpretrain_classifier):
    reference = randomize_norm_statistics(
        build_mmpretrain_classifier(variant)).eval()
    model = timm.create_model(variant).eval()
    model.load_state_dict(reference.state_dict(), strict=True)
    inputs = torch.randn(
        2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        features = model.forward_features(inputs)
        assert features.shape == (2, model.num_features, 2, 2)
        torch.testing.assert_close(
            features, reference.backbone(inputs)[0], rtol=0, atol=1e-5)
        torch.testing.assert_close(
            model(inputs), reference(inputs, mode='tensor'), rtol=0, atol=1e-5)


def test_timm_interface():
    model = timm.create_model('mobilenetv2_ca_100', drop_rate=0.2).eval()
    assert (model.num_classes, model.num_features, model.head_hidden_size) == (
        1000, 1280, 1280)
    assert model.head.drop.p == 0.2
    features = model.forward_features(torch.randn(2, 3, 64, 64))
    assert model.forward_head(features, pre_logits=True).shape == (2, 1280)

    model.reset_classifier(5, global_pool='catavgmax')
    assert (model.num_classes, model.head_hidden_size) == (5, 2560)
    assert model.get_classifier().weight.shape == (5, 2560)
    assert model.forward_head(features).shape == (2, 5)

    model.reset_classifier(0)
    assert model.forward_head(features).shape == (2, 2560)
    assert not [k for k in model.state_dict() if k.startswith('head.')]


def test_default_dropout_is_the_release_classifiers():
    assert timm.create_model('mobilenext_100').head.drop.p == 0.1


def test_in_chans_other_than_three_is_refused():
    with pytest.raises(ValueError, match='in_chans=3, not in_chans=1'):
        timm.create_model('mobilenetv2_se_100', in_chans=1)


def test_grad_checkpointing_gives_the_same_gradients():
    torch.manual_seed(0)
    model = timm.create_model('mobilenetv2_ca_100', drop_rate=0.).eval()
    inputs = torch.randn(1, 3, 64, 64)

    def gradients():
        model.zero_grad()
        model(inputs).sum().backward()
        return [p.grad.clone() for p in model.parameters()]

    plain = gradients()
    model.set_grad_checkpointing()
    assert all(m.with_cp for m in model.modules() if hasattr(m, 'with_cp'))
    for checkpointed, expected in zip(gradients(), plain):
        torch.testing.assert_close(checkpointed, expected)


@pytest.fixture(scope='module')
def trained_weights():
    """Weights of mobilenetv2_ca_100 that no fresh model has."""
    model = randomize_norm_statistics(timm.create_model('mobilenetv2_ca_100'))
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_runner_checkpoint_loads_as_pretrained_file(trained_weights, tmp_path):
    path = save_runner_checkpoint(tmp_path / 'epoch_3.pth', trained_weights)
    with pytest.raises(RuntimeError, match='HistoryBuffer'):
        timm.models.load_state_dict(str(path))   # timm's own loader refuses
    model = timm.create_model(
        'mobilenetv2_ca_100', pretrained=True,
        pretrained_cfg_overlay=dict(file=str(path)))
    assert_same_weights(model, trained_weights)


def test_bare_state_dict_loads_as_pretrained_file(trained_weights, tmp_path):
    path = tmp_path / 'weights.pth'
    torch.save(trained_weights, path)
    model = timm.create_model(
        'mobilenetv2_ca_100', pretrained=True,
        pretrained_cfg_overlay=dict(file=str(path)))
    assert_same_weights(model, trained_weights)


def test_other_class_count_loads_the_backbone_and_a_fresh_head(
        trained_weights, tmp_path, caplog):
    path = save_runner_checkpoint(tmp_path / 'epoch_3.pth', trained_weights)
    with caplog.at_level(logging.INFO, logger='mmca.timm_models'):
        model = timm.create_model(
            'mobilenetv2_ca_100', pretrained=True, num_classes=10,
            pretrained_cfg_overlay=dict(file=str(path)))
    assert 'Not loading head.fc' in caplog.text
    backbone = {k: v for k, v in trained_weights.items()
                if k.startswith('backbone.')}
    assert_same_weights(model.backbone, {
        k[len('backbone.'):]: v for k, v in backbone.items()})
    assert model.get_classifier().weight.shape == (10, 1280)
    assert model.eval()(torch.randn(2, 3, 64, 64)).shape == (2, 10)


def test_weights_of_another_layout_fail_in_one_line(tmp_path):
    se_weights = timm.create_model('mobilenetv2_se_100').state_dict()
    path = save_runner_checkpoint(tmp_path / 'se.pth', se_weights)
    with pytest.raises(
            RuntimeError,
            match='does not hold mobilenetv2_ca_100 weights') as err:
        timm.create_model('mobilenetv2_ca_100', pretrained=True,
                          pretrained_cfg_overlay=dict(file=str(path)))
    assert '\n' not in str(err.value) and 'missing' in str(err.value)


def test_pretrained_without_a_file_fails_as_timm_does():
    with pytest.raises(RuntimeError,
                       match='No pretrained weights exist for mobilenext_100'):
        timm.create_model('mobilenext_100', pretrained=True)
