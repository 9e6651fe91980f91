import pytest
import torch

from mmca.models import CoordAttention, MobileNeXtCA
from mmca.models.layers import SandglassBlock
from mmca.utils.complexity import ClassificationForm, count_params


def imagenet_params(**kwargs):
    return count_params(
        ClassificationForm(MobileNeXtCA(out_indices=(7, ), **kwargs)))


def test_imagenet_sizes_are_the_papers():
    plain, ca = imagenet_params(attention=None), imagenet_params()
    assert abs(plain - 3.5e6) / 3.5e6 < 0.015            # paper: 3.5M
    assert abs(ca - 4.09e6) / 4.09e6 < 0.01              # paper: 4.09M
    assert (plain, ca) == (3_535_416, 4_120_369)


def test_stage_outputs_and_strides():
    model = MobileNeXtCA(out_indices=tuple(range(8))).eval()
    outs = model(torch.randn(1, 3, 224, 224))
    assert [(o.shape[1], o.shape[2]) for o in outs] == [
        (96, 56), (144, 56), (192, 28), (288, 14), (384, 14), (576, 7),
        (960, 7), (1280, 7)]


def test_block_structure_of_the_release():
    model = MobileNeXtCA(out_indices=(7, ))
    blocks = [b for name in model.stage_names for b in getattr(model, name)]
    assert len(blocks) == 20 and all(isinstance(b, SandglassBlock)
                                     for b in blocks)
    # first block of stages 2..6 changes width: no first depthwise conv, and
    # no second one where it keeps the stride (stages 4 and 6)
    transitions = {3: True, 6: True, 9: False, 13: True, 17: False}
    for index, block in enumerate(blocks, start=1):
        if index in transitions:
            assert block.depthwise_conv1 is None
            assert (block.depthwise_conv2 is not None) == transitions[index]
            assert (block.attention.in_channels
                    == block.expand_conv.conv.out_channels)
        else:
            assert (block.depthwise_conv1 is not None
                    and block.depthwise_conv2 is not None)
            assert (block.attention.in_channels
                    == block.depthwise_conv1.conv.out_channels)
        assert isinstance(block.attention, CoordAttention)
    residual = [i for i, b in enumerate(blocks, start=1) if b.use_res_connect]
    assert residual == [4, 5, 7, 8, 10, 11, 12, 14, 15, 16, 18, 19]
    # the waist: in / 6, but at least out / 6 rounded to 16
    assert [b.reduce_conv.conv.out_channels
            for b in blocks[:3]] == [16, 32, 32]


def test_output_stride_8_for_segmentation():
    model = MobileNeXtCA(strides=(2, 1, 2, 1, 1, 1, 1, 1),
                         dilations=(1, 1, 1, 2, 2, 4, 4, 4),
                         out_indices=(2, 7)).eval()
    outs = model(torch.randn(1, 3, 128, 160))
    assert [tuple(o.shape) for o in outs] == [(1, 192, 16, 20),
                                              (1, 1280, 16, 20)]


def test_stride_2_needs_the_second_depthwise_conv():
    with pytest.raises(ValueError, match='second depthwise conv'):
        SandglassBlock(32, 64, 16, stride=2, with_depthwise_conv2=False)
