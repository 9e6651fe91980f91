"""A block's conv and attention: CA takes the conv's activation into its op."""
import copy

import pytest
import torch

from mmca.models.layers import InvertedResidual, SandglassBlock
from mmca.ops import coord_attention_ops


def block_and_conv(kind, attention):
    """A block, its input width, and the conv whose output the attention
    reads."""
    if kind == 'inverted_residual':
        block = InvertedResidual(16, 16, stride=1, expand_ratio=6,
                                 attention=attention)
        return block, 16, block.depthwise_conv
    if kind == 'sandglass':
        block = SandglassBlock(32, 32, 8, stride=1, attention=attention)
        return block, 32, block.depthwise_conv1
    block = SandglassBlock(32, 48, 8, stride=2, with_depthwise_conv1=False,
                           attention=attention)
    return block, 32, block.expand_conv


@pytest.mark.parametrize('attention', ['CoordAttention', 'SqueezeExcitation',
                                       'CBAM', None])
@pytest.mark.parametrize('kind', ['inverted_residual', 'sandglass',
                                  'sandglass_after_expand'])
def test_ca_applies_the_conv_activation_in_its_ops(kind, attention,
                                                   monkeypatch):
    """A CoordAttention clamps the conv's output as it reads it, at
    inference and in training, so the conv's ReLU6 module never runs; every
    block gives the outputs and gradients of the plain path (no compiled
    ops), where that activation runs first."""
    torch.manual_seed(0)
    block, in_channels, conv = block_and_conv(
        kind, attention and dict(type=attention))
    for m in block.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.5)
            m.running_var.uniform_(0.5, 2.)
    calls = []
    conv.activate.register_forward_hook(lambda *_: calls.append(1))
    x = torch.randn(2, in_channels, 12, 10) * 3
    with torch.no_grad():
        grad = torch.randn_like(block.eval()(x))
    fused_calls = 0 if attention == 'CoordAttention' else 1

    state = copy.deepcopy(block.state_dict())

    def run(training):
        block.load_state_dict(state)    # as before training moved BN's stats
        block.train(training)
        inputs = x.clone().requires_grad_(training)
        with torch.set_grad_enabled(training):
            out = block(inputs)
        if not training:
            return out
        out.backward(grad)
        return out.detach(), inputs.grad, *[p.grad for p in
                                            block.parameters()]

    got = {}
    for training in (False, True):
        calls.clear()
        block.zero_grad()
        got[training] = run(training)
        assert len(calls) == fused_calls
    monkeypatch.setattr(coord_attention_ops, 'load_ops', lambda: False)
    for training in (False, True):
        calls.clear()
        block.zero_grad()
        torch.testing.assert_close(got[training], run(training), atol=1e-4,
                                   rtol=1e-4)
        assert len(calls) == 1


class RecordingAttention(torch.nn.Module):
    """Records what it is given; declares the capability when asked to."""

    def __init__(self, applies_input_act):
        super().__init__()
        self.applies_input_act = applies_input_act
        self.seen = None

    def forward(self, x, input_act=None):
        self.seen = input_act
        return x if input_act is None else input_act(x)


@pytest.mark.parametrize('capable', [True, False])
def test_the_capability_not_the_class_decides_who_applies_the_act(capable):
    from mmcv.cnn import ConvModule

    from mmca.models.layers.conv_attention import conv_attention
    conv = ConvModule(4, 4, 3, padding=1, act_cfg=dict(type='ReLU6')).eval()
    attention = RecordingAttention(capable)
    x = torch.randn(1, 4, 6, 6) * 8
    with torch.no_grad():
        out = conv_attention(conv, attention, x)
        torch.testing.assert_close(out, conv(x))
    assert (attention.seen is conv.activate) == capable
