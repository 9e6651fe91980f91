"""The mmca networks are timm models with the weights of mmpretrain's.

Each timm variant has the state dict of the mmpretrain classifier of its
config, computes the same logits from the same weights, passes what timm's
own ``tests/test_models.py`` asks of every timm model (forward, backward,
default cfg, ``features_only``, ``forward_intermediates``, gradient
checkpointing), and loads the checkpoints that config's runner writes and
those timm's ``train.py`` writes, through every path timm documents.
"""
import argparse
import logging
import math
import os.path as osp

import numpy as np
import pytest
import timm
import torch

import mmca  # noqa: F401
from mmca.models.timm_models import MobileNetCAClassifier
from mmca.utils import UnsafeCheckpointError

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
VARIANT_BACKBONES = {variant: 'MobileNeXtCA' if 'mobilenext' in variant
                     else 'MobileNetV2CA' for variant in VARIANTS}


@pytest.fixture(scope='module')
def build_mmpretrain_classifier(repo_root):
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


@pytest.mark.parametrize('variant', VARIANTS)
def test_each_variant_has_its_own_documented_entry_point(variant):
    from mmca.models import timm_models
    entrypoint = timm.models.model_entrypoint(variant)
    assert entrypoint is getattr(timm_models, variant)
    assert entrypoint.__name__ == variant
    assert len(entrypoint.__doc__.strip().splitlines()) == 1


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


def saved_activation_elements(model, inputs):
    """Elements autograd keeps from a forward pass for the backward pass."""
    saved = []

    def pack(tensor):
        saved.append(tensor.numel())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(inputs)
    return sum(saved)


def test_grad_checkpointing_keeps_fewer_activations_until_turned_off():
    model = timm.create_model('mobilenetv2_ca_100').train()
    inputs = torch.randn(2, 3, 64, 64)
    plain = saved_activation_elements(model, inputs)
    model.set_grad_checkpointing()
    assert saved_activation_elements(model, inputs) < plain / 3
    model.set_grad_checkpointing(False)
    assert saved_activation_elements(model, inputs) == plain


# What timm's tests/test_models.py asks of every timm model, at its sizes.

def input_size(model, target):
    """timm's _get_input_size: the cfg's input size, capped at target."""
    return tuple(min(x, target) for x in model.pretrained_cfg['input_size'])


def assert_maps_match_feature_info(maps, feature_info, size, batch_size=1):
    """Each map has the channels of its feature_info entry, and the
    spatial size its reduction (output stride) gives."""
    channels, reductions = feature_info.channels(), feature_info.reduction()
    assert len(maps) == len(channels) >= 3
    for out, channel, reduction in zip(maps, channels, reductions):
        assert out.shape == (batch_size, channel, math.ceil(size / reduction),
                             math.ceil(size / reduction))
        assert not torch.isnan(out).any()


@pytest.mark.parametrize('variant', VARIANTS)
def test_forward_gives_finite_logits_with_and_without_checkpointing(
        variant):
    """timm's test_model_forward."""
    model = timm.create_model(variant).eval()
    inputs = torch.randn(1, *input_size(model, 384))
    outputs = model(inputs)
    assert outputs.shape == (1, 1000) and not torch.isnan(outputs).any()
    model.set_grad_checkpointing()
    torch.testing.assert_close(model(inputs), outputs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('variant', VARIANTS)
def test_backward_reaches_every_parameter(variant):
    """timm's test_model_backward."""
    model = timm.create_model(variant, num_classes=42).train()
    outputs = model(torch.randn(2, *input_size(model, 128)))
    outputs.mean().backward()
    assert outputs.shape == (2, 42) and not torch.isnan(outputs).any()
    assert [n for n, p in model.named_parameters() if p.grad is None] == []


@pytest.mark.parametrize('variant', VARIANTS)
def test_default_cfg_pool_size_and_layer_names_match_the_model(variant):
    """timm's test_model_default_cfgs: features and pre-logits widths,
    classifier removal with and without pooling, cfg layer names."""
    model = timm.create_model(variant).eval()
    assert model.num_classes >= 0
    assert model.num_features > 0 and model.head_hidden_size > 0
    cfg = model.default_cfg
    state_dict = model.state_dict()
    inputs = torch.randn(1, *input_size(model, 448))
    pooled = (model.num_features, *cfg['pool_size'])

    features = model.forward_features(inputs)
    pre_logits = model.forward_head(features, pre_logits=True)
    assert features.shape[1:] == pooled
    assert pre_logits.shape == (1, model.head_hidden_size)

    model.reset_classifier(0)
    assert model.num_classes == 0
    assert model(inputs).shape == pre_logits.shape
    model.reset_classifier(0, '')
    assert model(inputs).shape[1:] == pooled
    model = timm.create_model(variant, num_classes=0, global_pool='').eval()
    assert model(inputs).shape[1:] == pooled

    assert f'{cfg["classifier"]}.weight' in state_dict
    assert f'{cfg["first_conv"]}.weight' in state_dict


@pytest.mark.parametrize('variant', VARIANTS)
@pytest.mark.parametrize('feature_cls', [None, 'getter', 'hook'])
def test_features_only_maps_have_the_channels_and_strides_of_feature_info(
        variant, feature_cls):
    """timm's test_model_forward_features and
    test_model_forward_intermediates_features, with the default extractor
    of these models (None: the getter of forward_intermediates) and the
    hook one."""
    kwargs = dict(feature_cls=feature_cls) if feature_cls else {}
    model = timm.create_model(variant, features_only=True, **kwargs).eval()
    size = input_size(model, 96)
    maps = model(torch.randn(1, *size))
    assert_maps_match_feature_info(maps, model.feature_info, size[-1])


@pytest.mark.parametrize('variant', VARIANTS)
def test_intermediates_match_feature_info_and_end_in_the_features(variant):
    """timm's test_model_forward_intermediates."""
    model = timm.create_model(variant).eval()
    feature_info = timm.models.FeatureInfo(
        model.feature_info, len(model.feature_info))
    size = input_size(model, 96)
    inputs = torch.randn(1, *size)
    output, intermediates = model.forward_intermediates(
        inputs, output_fmt='NCHW')
    assert_maps_match_feature_info(intermediates, feature_info, size[-1])
    torch.testing.assert_close(output, model.forward_features(inputs))
    model.set_grad_checkpointing()
    checkpointed, _ = model.forward_intermediates(inputs, output_fmt='NCHW')
    torch.testing.assert_close(checkpointed, output, rtol=1e-4, atol=1e-5)


# Beyond timm's tests: the stages are the backbone's, with its indices.

@pytest.mark.parametrize('variant', VARIANTS)
def test_feature_info_is_each_backbone_stage(variant):
    model = timm.create_model(variant)
    backbone = model.backbone
    assert [info['module'] for info in model.feature_info] == [
        f'backbone.{name}' for name in backbone.stage_names]
    assert len(model.feature_info) == backbone.num_stages
    assert model.feature_info[-1]['num_chs'] == model.num_features


@pytest.mark.parametrize('variant', VARIANTS)
def test_features_only_default_is_the_last_stage_at_each_stride(variant):
    reductions = timm.models.FeatureInfo(
        timm.create_model(variant).feature_info, 8).reduction()
    last_at_each = tuple(i for i, r in enumerate(reductions)
                         if i == len(reductions) - 1 or reductions[i + 1] != r)
    model = timm.create_model(variant, features_only=True)
    assert tuple(model.feature_info.out_indices) == last_at_each
    assert model.feature_info.reduction() == sorted(set(reductions))


@pytest.mark.parametrize('variant, attention', [
    ('mobilenetv2_ca_100', dict(type='CoordAttention')),
    ('mobilenext_100', None)])
def test_features_only_gives_the_backbone_outputs_of_the_same_indices(
        variant, attention):
    from mmengine.registry import MODELS
    weights = timm.create_model(variant).backbone.state_dict()
    backbone = MODELS.build(dict(type=VARIANT_BACKBONES[variant],
                                 attention=attention)).eval()
    backbone.load_state_dict(weights)          # at mmdet's out_indices
    features = timm.create_model(variant, features_only=True,
                                 out_indices=backbone.out_indices).eval()
    features.model.backbone.load_state_dict(weights)
    inputs = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        for got, expected in zip(features(inputs), backbone(inputs),
                                 strict=True):
            torch.testing.assert_close(got, expected)


def test_feature_info_follows_the_strides_as_built():
    """Output stride 8 by dilation, as for segmentation."""
    model = timm.create_model(
        'mobilenetv2_ca_100', strides=(1, 2, 2, 1, 1, 1, 1),
        dilations=(1, 1, 1, 2, 2, 4, 4), features_only=True,
        out_indices=(1, 2, 7)).eval()
    assert model.feature_info.reduction() == [4, 8, 8]
    assert_maps_match_feature_info(
        model(torch.randn(1, 3, 64, 64)), model.feature_info, 64)


def test_forward_intermediates_indices_and_early_stop():
    model = timm.create_model('mobilenext_ca_100').eval()
    inputs = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        _, every = model.forward_intermediates(inputs)
        last_two = model.forward_intermediates(
            inputs, indices=2, intermediates_only=True)
        picked = model.forward_intermediates(
            inputs, indices=[1, -4], stop_early=True, intermediates_only=True)
    assert len(every) == 8
    for got, expected in zip(last_two + picked,
                             every[6:] + [every[1], every[4]], strict=True):
        torch.testing.assert_close(got, expected)
    with pytest.raises(ValueError, match='needs intermediates_only'):
        model.forward_intermediates(inputs, stop_early=True)
    with pytest.raises(ValueError, match="not output_fmt='NHWC'"):
        model.forward_intermediates(inputs, output_fmt='NHWC')


@pytest.mark.parametrize('variant, attention', [
    ('mobilenetv2_se_100', dict(type='SqueezeExcitation')),
    ('mobilenext_100', None)])
def test_pruning_leaves_what_out_indices_would_have_built(variant, attention):
    from mmengine.registry import MODELS
    model = timm.create_model(variant).eval()
    assert model.prune_intermediate_layers([0, 3]) == [0, 3]
    built = MODELS.build(dict(type=VARIANT_BACKBONES[variant],
                              out_indices=(3, ), attention=attention))
    assert model.backbone.state_dict().keys() == built.state_dict().keys()
    assert (model.num_classes, model.num_features) == (
        0, model.feature_info[3]['num_chs'])
    inputs = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        features = model.forward_features(inputs)
        assert features.shape == (1, model.num_features, 4, 4)
        torch.testing.assert_close(model(inputs), features)
        torch.testing.assert_close(
            model.forward_intermediates(inputs, intermediates_only=True)[-1],
            features)


def test_features_only_carries_no_weights_past_its_last_stage():
    model = timm.create_model(
        'mobilenetv2_ca_100', features_only=True, out_indices=(1, 3))
    stages = {key.split('.')[2] for key in model.state_dict()}
    assert stages == {'conv1', 'layer1', 'layer2', 'layer3', 'layer4'}


@pytest.mark.parametrize('coarse', [False, True])
@pytest.mark.parametrize('variant', ['mobilenetv2_ca_100', 'mobilenext_100'])
def test_group_matcher_groups_parameters_in_forward_order(variant, coarse):
    model = timm.create_model(variant)
    groups = timm.models.group_parameters(model, model.group_matcher(coarse))
    names = [name for name, _ in model.named_parameters()]
    assert sum(groups.values(), []) == names
    blocks = sum(len(getattr(model.backbone, name))
                 for name in model.backbone.stage_names
                 if name.startswith('layer'))
    layers = sum(name.startswith('layer')
                 for name in model.backbone.stage_names)
    # stem, the blocks or layers (MobileNetV2's conv2 joins the last), head
    assert len(groups) == 1 + (layers if coarse else blocks) + 1


def test_layer_decay_scales_the_stem_least_and_the_head_not_at_all():
    from timm.optim import param_groups_layer_decay
    model = timm.create_model('mobilenetv2_ca_100')
    scale = {}
    for group in param_groups_layer_decay(model, layer_decay=0.5):
        for param in group['params']:
            scale[param] = group['lr_scale']
    assert scale[model.backbone.conv1.conv.weight] == min(scale.values())
    assert scale[model.head.fc.weight] == 1.


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
    with caplog.at_level(logging.INFO, logger='mmca.models.timm_models'):
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


# Checkpoints of timm's train.py: its CheckpointSaver's layout, with the
# argparse.Namespace of its arguments under 'args'.

def save_timm_train_checkpoint(output_dir, with_ema, args=None):
    """``model_best.pth.tar`` as timm's train.py writes it after an epoch:
    epoch, arch, state_dict, [state_dict_ema,] optimizer, args, version,
    metric and the saver's own state. Returns it and its weights (the
    EMA ones where there are some, which timm loads first)."""
    from timm.utils import CheckpointSaver, ModelEmaV3
    model = randomize_norm_statistics(timm.create_model('mobilenetv2_ca_100'))
    model_ema = ModelEmaV3(model) if with_ema else None
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model(torch.randn(2, 3, 64, 64)).mean().backward()
    optimizer.step()                 # momentum buffers in the optimizer
    if args is None:
        args = argparse.Namespace(
            model='mobilenetv2_ca_100', lr=0.05, epochs=200, batch_size=256,
            model_ema=with_ema, device='cuda:0', mean=None)
    saver = CheckpointSaver(model, optimizer, args=args, model_ema=model_ema,
                            checkpoint_dir=str(output_dir))
    saver.save_checkpoint(epoch=0, metric=71.5)
    source = model_ema.module if with_ema else model
    weights = {k: v.clone() for k, v in source.state_dict().items()}
    return output_dir / 'model_best.pth.tar', weights


@pytest.mark.parametrize('with_ema', [False, True])
def test_timm_train_checkpoint_loads_through_every_timm_path(
        with_ema, tmp_path):
    path, weights = save_timm_train_checkpoint(tmp_path, with_ema)
    checkpoint = torch.load(path, weights_only=False)
    assert isinstance(checkpoint['args'], argparse.Namespace)
    assert ('state_dict_ema' in checkpoint) == with_ema

    from_file = timm.create_model(
        'mobilenetv2_ca_100', pretrained=True,
        pretrained_cfg_overlay=dict(file=str(path)))
    assert_same_weights(from_file, weights)
    loaded = timm.create_model('mobilenetv2_ca_100')
    timm.models.load_checkpoint(loaded, str(path))
    assert_same_weights(loaded, weights)
    assert_same_weights(
        timm.create_model('mobilenetv2_ca_100', checkpoint_path=str(path)),
        weights)


def test_timm_train_checkpoint_loads_into_features_only(tmp_path):
    path, weights = save_timm_train_checkpoint(tmp_path, with_ema=False)
    model = timm.create_model(
        'mobilenetv2_ca_100', pretrained=True, features_only=True,
        pretrained_cfg_overlay=dict(file=str(path)))
    assert_same_weights(model.model.backbone, {
        k[len('backbone.'):]: v for k, v in weights.items()
        if k.startswith('backbone.')})


def test_runner_loader_still_refuses_the_namespace(tmp_path):
    """Only the timm models' loader allows what timm's loader allows;
    mmengine's (load_from, --resume, test.py) stays as it was."""
    from mmca.utils import load_checkpoint_safely
    path, _ = save_timm_train_checkpoint(tmp_path, with_ema=False)
    with pytest.raises(UnsafeCheckpointError, match='argparse.Namespace'):
        load_checkpoint_safely(str(path))


class Payload:
    """Stands for any other pickled object: unpickling it could run code."""

    def __reduce__(self):
        return (print, ('unpickled!', ))


def test_timm_layout_with_another_pickled_object_is_refused_everywhere(
        tmp_path, capsys):
    path, _ = save_timm_train_checkpoint(
        tmp_path, with_ema=False,
        args=argparse.Namespace(model='mobilenetv2_ca_100', hook=Payload()))
    with pytest.raises(UnsafeCheckpointError,
                       match='print was not an allowed global') as err:
        timm.create_model('mobilenetv2_ca_100', pretrained=True,
                          pretrained_cfg_overlay=dict(file=str(path)))
    assert '\n' not in str(err.value)
    assert 'argparse.Namespace' in str(err.value)   # what is allowed
    with pytest.raises(RuntimeError, match='weights_only=True blocked'):
        timm.models.load_checkpoint(
            timm.create_model('mobilenetv2_ca_100'), str(path))
    with pytest.raises(RuntimeError, match='weights_only=True blocked'):
        timm.create_model('mobilenetv2_ca_100', checkpoint_path=str(path))
    assert 'unpickled!' not in capsys.readouterr().out
