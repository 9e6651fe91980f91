# The standard network: MobileNetV3's own SE (MOBILENETV3_SE of
# mmca/models/backbones/mobilenet_v3_ca.py).
_base_ = './_base_/lraspp_mbv3-small_d8_cityscapes.py'
model = dict(backbone=dict(
    attention=dict(
        type='SqueezeExcitation', reduction=4, divisor=8,
        act_cfg=dict(type='ReLU'), gate_cfg=dict(type='Hardsigmoid')),
    init_cfg=dict(checkpoint='checkpoints/mbv3-small_imagenet.pth')))
