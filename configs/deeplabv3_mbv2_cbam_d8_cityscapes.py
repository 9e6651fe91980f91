_base_ = './_base_/deeplabv3_mbv2_d8_cityscapes.py'
model = dict(backbone=dict(
    attention=dict(type='CBAM'),
    init_cfg=dict(checkpoint='checkpoints/mbv2_cbam_imagenet.pth')))
