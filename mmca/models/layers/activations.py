"""Activation configs of mmca's blocks."""

#: ReLU6 as mmca's blocks build it: out of place. mmcv's ConvModule makes
#: its activation in place unless the config says otherwise, and under
#: autograd an in-place ReLU6 (``hardtanh_``) first copies its input, which
#: its backward reads: a pass more than writing a new tensor (3.4% of the
#: detection demo's training step, docs/cpu.md). Without autograd the two
#: cost the same.
RELU6 = dict(type='ReLU6', inplace=False)
