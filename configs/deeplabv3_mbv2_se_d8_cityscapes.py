_base_ = './_base_/deeplabv3_mbv2_d8_cityscapes.py'
model = dict(backbone=dict(
    attention=dict(type='SqueezeExcitation'),
    init_cfg=dict(checkpoint='checkpoints/mbv2_se_imagenet.pth')))
