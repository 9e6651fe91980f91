"""A block's conv and attention: CA takes the conv's activation into its op."""
import pytest
import torch

from mmca.models.layers import InvertedResidual, SandglassBlock


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
def test_inference_applies_the_conv_activation_once(kind, attention):
    """At inference a CoordAttention clamps the conv's output as it reads it,
    so the conv's ReLU6 module never runs; every block gives the outputs of
    the plain path, where that activation runs first."""
    torch.manual_seed(0)
    block, in_channels, conv = block_and_conv(
        kind, attention and dict(type=attention))
    for m in block.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.5)
            m.running_var.uniform_(0.5, 2.)
    block.eval()
    calls = []
    conv.activate.register_forward_hook(lambda *_: calls.append(1))
    x = torch.randn(2, in_channels, 12, 10) * 3
    with torch.no_grad():
        inference = block(x)
    assert len(calls) == (0 if attention == 'CoordAttention' else 1)
    calls.clear()
    plain = block(x)        # the parameters want gradients: plain ops
    assert len(calls) == 1
    torch.testing.assert_close(inference, plain.detach(), atol=1e-5,
                               rtol=1e-5)
