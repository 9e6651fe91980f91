"""Activation configs of mmca's blocks."""


def activation_cfg(name: str) -> dict:
    """The config of activation ``name`` (mmcv's registry names: 'ReLU',
    'ReLU6', 'HSwish', 'SiLU') as mmca's blocks build it: in place only
    for ReLU.

    mmcv's ConvModule makes its activation in place unless the config says
    otherwise. Under autograd an in-place ReLU6, h-swish or SiLU first
    copies its input, which its backward reads, so it costs a pass more
    than writing a new tensor: forward and backward of 4x576x36x36 took
    1.85 against 1.51 ms (ReLU6), 2.36 against 1.24 (h-swish) and 2.76
    against 1.97 (SiLU) in place and out of place, and the detection demo's
    training step 3.4% more with its ReLU6s in place (docs/cpu.md). ReLU's
    backward reads its output, so in place it copies nothing (1.10 against
    1.54 ms). Without autograd in place never costs more.
    """
    return dict(type=name, inplace=name == 'ReLU')


#: ReLU6, out of place: MobileNetV2's and MobileNeXt's activation.
RELU6 = activation_cfg('ReLU6')
