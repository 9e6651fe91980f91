"""tools/model_converters/se_networks_to_mmca.py: timm's and mmpretrain's
MobileNetV3 and EfficientNet-B0 weight files become mmca checkpoints that
the timm models and the backbones load and compute the same with."""
import pytest
import timm
import torch
from reference_networks import randomized, timm_stage_maps
from safetensors.torch import save_file
from tool_process import error_line, run_tool

from mmca.models import (EFFICIENTNET_SE, MOBILENETV3_SE, EfficientNetB0CA,
                         MobileNetV3SmallCA)

CONVERTER = 'tools/model_converters/se_networks_to_mmca.py'
pytestmark = pytest.mark.slow  # each test starts the converter


def convert(repo_root, *args):
    return run_tool([CONVERTER, *args], repo_root)


def test_timm_safetensors_become_a_pretrained_file_of_the_timm_model(
        repo_root, tmp_path):
    reference = randomized(timm.create_model('mobilenetv3_small_100'))
    src, dst = tmp_path / 'model.safetensors', tmp_path / 'mmca.pth'
    save_file(reference.state_dict(), str(src))
    result = convert(repo_root, 'timm', str(src), str(dst),
                     '--backbone', 'MobileNetV3SmallCA')
    assert result.returncode == 0, result.stderr
    assert f'wrote 244 tensors to {dst}' in result.stdout
    model = timm.create_model(
        'mobilenetv3_small_ca_100', attention=MOBILENETV3_SE, pretrained=True,
        pretrained_cfg_overlay=dict(file=str(dst))).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), reference(x), rtol=1e-5,
                                   atol=1e-6)
    # and the backbone alone, as a detector's or segmentor's config loads it
    backbone = MobileNetV3SmallCA(
        attention=MOBILENETV3_SE, out_indices=(4, ),
        init_cfg=dict(type='Pretrained', checkpoint=str(dst),
                      prefix='backbone.'))
    backbone.init_weights()
    with torch.no_grad():
        torch.testing.assert_close(backbone.eval()(x)[0],
                                   timm_stage_maps(reference, x)[4],
                                   rtol=1e-5, atol=1e-6)


def test_mmpretrain_backbone_becomes_backbone_weights(repo_root, tmp_path):
    from mmpretrain.models import EfficientNet
    reference = randomized(EfficientNet(arch='b0', out_indices=(6, )))
    src, dst = tmp_path / 'efficientnet.pth', tmp_path / 'mmca.pth'
    torch.save(dict(state_dict=reference.state_dict()), src)
    result = convert(repo_root, 'mmpretrain', str(src), str(dst),
                     '--backbone', 'EfficientNetB0CA')
    assert result.returncode == 0, result.stderr
    backbone = EfficientNetB0CA(
        attention=EFFICIENTNET_SE, out_indices=(7, ),
        conv_cfg=dict(type='Conv2dAdaptivePadding'),
        norm_cfg=dict(type='BN', eps=1e-3),
        init_cfg=dict(type='Pretrained', checkpoint=str(dst),
                      prefix='backbone.'))
    backbone.init_weights()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(backbone.eval()(x)[0], reference(x)[0],
                                   rtol=1e-5, atol=1e-5)


def test_weights_of_another_network_are_one_error_line(repo_root, tmp_path):
    src = tmp_path / 'small.pth'
    torch.save(timm.create_model('mobilenetv3_small_100').state_dict(), src)
    line = error_line(convert(repo_root, 'timm', str(src),
                              str(tmp_path / 'out.pth'),
                              '--backbone', 'MobileNetV3LargeCA'))
    assert "does not hold timm's weights of the network of " \
        'MobileNetV3LargeCA' in line
    line = error_line(convert(repo_root, 'timm', 'no_such.safetensors',
                              str(tmp_path / 'out.pth'),
                              '--backbone', 'EfficientNetB0CA'))
    assert 'checkpoint no_such.safetensors does not exist' in line
    assert not (tmp_path / 'out.pth').exists()
