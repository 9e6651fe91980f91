import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from mmca.models import CoordAttention, MobileNetV2CA
from mmca.utils.complexity import ClassificationForm, count_params

OS8 = dict(strides=(1, 2, 2, 1, 1, 1, 1), dilations=(1, 1, 1, 2, 2, 4, 4))
OS16 = dict(strides=(1, 2, 2, 2, 1, 1, 1), dilations=(1, 1, 1, 1, 1, 2, 2))


def imagenet_params(**kwargs):
    return count_params(
        ClassificationForm(MobileNetV2CA(out_indices=(7, ), **kwargs)))


def test_imagenet_sizes_are_the_papers():
    # torchvision's MobileNetV2 and the paper's 3.95M for MobileNetV2 + CA
    assert imagenet_params(attention=None) == 3_504_872
    assert imagenet_params() == 3_950_648
    for attention in ('SqueezeExcitation', 'CBAM'):
        assert abs(imagenet_params(attention=dict(type=attention))
                   - 3.89e6) < 5e3


def test_detection_outputs_at_mmdet_indices():
    model = MobileNetV2CA().eval()
    outs = model(torch.randn(1, 3, 224, 224))
    assert [tuple(o.shape) for o in outs] == [(1, 24, 56, 56), (1, 32, 28, 28),
                                              (1, 96, 14, 14), (1, 1280, 7, 7)]


@pytest.mark.parametrize('setting,size', [(OS8, 28), (OS16, 14)])
def test_output_stride_through_strides_and_dilations(setting, size):
    model = MobileNetV2CA(out_indices=(1, 2, 4, 6), **setting).eval()
    outs = model(torch.randn(1, 3, 224, 224))
    assert [tuple(o.shape) for o in outs] == [(1, 24, 56, 56), (1, 32, 28, 28),
                                              (1, 96, size, size),
                                              (1, 320, size, size)]
    dilated = model.layer7[0].depthwise_conv.conv
    assert dilated.dilation == (setting['dilations'][6], ) * 2
    assert dilated.padding == dilated.dilation
    # stages after the last requested index are not built
    assert not hasattr(model, 'conv2') and model.out_channels == 320


def test_odd_input_sizes():
    model = MobileNetV2CA(out_indices=(4, 6), **OS8).eval()
    outs = model(torch.randn(2, 3, 97, 131))
    assert [tuple(o.shape) for o in outs] == [(2, 96, 13, 17),
                                              (2, 320, 13, 17)]


def test_attention_after_depthwise_of_every_expanding_block():
    model = MobileNetV2CA()
    blocks = [b for name in model.stage_names[:7]
              for b in getattr(model, name)]
    assert len(blocks) == 17
    assert blocks[0].attention is None and blocks[0].expand_conv is None
    for block in blocks[1:]:
        assert isinstance(block.attention, CoordAttention)
        assert (block.attention.in_channels
                == block.depthwise_conv.conv.out_channels)
    assert all(b.attention is None
               for b in MobileNetV2CA(attention=None).modules()
               if hasattr(b, 'attention'))


def test_inference_gates_the_depthwise_output_in_place_with_same_outputs():
    """Only the attention reads the depthwise output, so the blocks build
    it with inplace=True; the backbone's outputs do not change."""
    torch.manual_seed(0)
    model = MobileNetV2CA(out_indices=(2, 4, 7)).eval()
    assert all(b.attention.inplace for name in model.stage_names[:7]
               for b in getattr(model, name)[1 if name == 'layer1' else 0:])
    copy = MobileNetV2CA(out_indices=(2, 4, 7)).eval()
    copy.load_state_dict(model.state_dict())
    for m in copy.modules():
        if isinstance(m, CoordAttention):
            m.inplace = False
    x = torch.rand(2, 3, 96, 128)
    with torch.no_grad():
        for got, want in zip(model(x), copy(x)):
            torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


def test_frozen_stages_and_norm_eval():
    model = MobileNetV2CA(frozen_stages=2, norm_eval=True)
    model.train()
    for module in (model.conv1, model.layer1, model.layer2):
        assert all(not p.requires_grad for p in module.parameters())
        assert not any(m.training for m in module.modules())
    assert all(p.requires_grad for p in model.layer3.parameters())
    assert all(not m.training for m in model.modules()
               if isinstance(m, _BatchNorm))
    assert model.layer3[0].depthwise_conv.conv.training


def test_with_cp_gives_same_outputs_and_gradients():
    torch.manual_seed(0)
    plain = MobileNetV2CA(out_indices=(2, ))
    checkpointed = MobileNetV2CA(out_indices=(2, ), with_cp=True)
    checkpointed.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 64, 64, requires_grad=True)
    out_a, = plain(x)
    out_b, = checkpointed(x)
    torch.testing.assert_close(out_a, out_b)
    grad_a = torch.autograd.grad(out_a.sum(),
                                 plain.layer2[0].expand_conv.conv.weight)
    grad_b = torch.autograd.grad(
        out_b.sum(), checkpointed.layer2[0].expand_conv.conv.weight)
    torch.testing.assert_close(grad_a, grad_b)


def test_widen_factor():
    model = MobileNetV2CA(widen_factor=0.5, out_indices=(4, 7)).eval()
    outs = model(torch.randn(1, 3, 64, 64))
    assert [tuple(o.shape) for o in outs] == [(1, 48, 4, 4), (1, 1280, 2, 2)]


@pytest.mark.parametrize('kwargs,match', [
    (dict(out_indices=(8, )), 'out_indices'),
    (dict(out_indices=()), 'out_indices'),
    (dict(frozen_stages=9), 'frozen_stages'),
    (dict(strides=(1, 2)), 'strides and dilations'),
])
def test_bad_arguments_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MobileNetV2CA(**kwargs)


@pytest.mark.parametrize('backbone', ['MobileNetV2CA', 'MobileNeXtCA'])
@pytest.mark.parametrize('norm_cfg,norm_type', [
    (dict(type='SyncBN'), torch.nn.SyncBatchNorm),
    (dict(type='GN', num_groups=1), torch.nn.GroupNorm),
])
def test_backbone_norm_reaches_the_attention(backbone, norm_cfg, norm_type):
    from mmengine.registry import MODELS
    model = MODELS.build(dict(type=backbone, norm_cfg=norm_cfg,
                              out_indices=(3, )))
    attentions = [m for m in model.modules() if isinstance(m, CoordAttention)]
    assert attentions and all(isinstance(a.bn1, norm_type) for a in attentions)
    assert not any(type(m) is torch.nn.BatchNorm2d for m in model.modules())


def test_attention_own_norm_wins_and_default_is_bn():
    model = MobileNetV2CA(norm_cfg=dict(type='SyncBN'), out_indices=(2, ),
                          attention=dict(type='CoordAttention',
                                         norm_cfg=dict(type='BN')))
    assert type(model.layer2[0].attention.bn1) is torch.nn.BatchNorm2d
    assert isinstance(model.layer2[0].depthwise_conv.bn,
                      torch.nn.SyncBatchNorm)
    plain = MobileNetV2CA(out_indices=(2, ))
    assert type(plain.layer2[0].attention.bn1) is torch.nn.BatchNorm2d


@pytest.mark.parametrize('backbone', ['MobileNetV2CA', 'MobileNeXtCA'])
def test_zero_init_residual_starts_residual_blocks_as_identity(backbone):
    from mmengine.registry import MODELS
    model = MODELS.build(dict(type=backbone, zero_init_residual=True,
                              out_indices=(3, )))
    model.init_weights()
    model.eval()
    residual = [m for m in model.modules()
                if getattr(m, 'residual_norm', None) is not None]
    assert len(residual) >= 3
    for block in residual:
        x = torch.randn(1, block.residual_norm.num_features, 8, 8)
        with torch.no_grad():
            torch.testing.assert_close(block(x), x)
    other = MODELS.build(dict(type=backbone, out_indices=(3, )))
    other.init_weights()
    assert all(m.residual_norm.weight.abs().min() > 0 for m in other.modules()
               if getattr(m, 'residual_norm', None) is not None)


def test_zero_init_residual_keeps_pretrained_weights(tmp_path):
    source = MobileNetV2CA(out_indices=(3, ))
    torch.nn.init.constant_(source.layer3[1].linear_conv.bn.weight, 0.5)
    path = tmp_path / 'backbone.pth'
    torch.save({'state_dict': source.state_dict()}, path)
    model = MobileNetV2CA(out_indices=(3, ), zero_init_residual=True,
                          init_cfg=dict(type='Pretrained',
                                        checkpoint=str(path)))
    model.init_weights()
    assert torch.all(model.layer3[1].linear_conv.bn.weight == 0.5)
