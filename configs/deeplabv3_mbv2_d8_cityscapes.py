_base_ = './_base_/deeplabv3_mbv2_d8_cityscapes.py'
model = dict(backbone=dict(
    attention=None,
    init_cfg=dict(checkpoint='checkpoints/mbv2_imagenet.pth')))
