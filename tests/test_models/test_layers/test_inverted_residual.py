"""The inverted residual block: kernel size, and the block's input width
for attentions that squeeze it."""
import torch

from mmca.models import EFFICIENTNET_SE, CoordAttention
from mmca.models.layers import InvertedResidual


def test_attention_that_takes_the_block_input_width_is_told_it():
    block = InvertedResidual(16, 24, stride=2, expand_ratio=6,
                             attention=EFFICIENTNET_SE)
    assert block.attention.in_channels == 96
    assert block.attention.mid_channels == 16 // 4
    told = dict(EFFICIENTNET_SE, block_in_channels=32)
    block = InvertedResidual(16, 24, stride=2, expand_ratio=6,
                             attention=told)
    assert block.attention.mid_channels == 32 // 4      # the config wins


def test_other_attentions_get_their_config_unchanged():
    cfg = dict(type='CoordAttention')
    block = InvertedResidual(16, 24, stride=1, expand_ratio=6, attention=cfg)
    assert cfg == dict(type='CoordAttention')
    assert isinstance(block.attention, CoordAttention)
    assert block.attention.mid_channels == max(8, 96 // 32)


def test_kernel_size_keeps_the_size_at_any_dilation():
    block = InvertedResidual(24, 24, stride=1, expand_ratio=3,
                             kernel_size=5, dilation=2).eval()
    assert block.depthwise_conv.conv.padding == (4, 4)
    x = torch.randn(1, 24, 9, 11)
    assert block(x).shape == x.shape
