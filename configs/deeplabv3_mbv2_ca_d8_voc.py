_base_ = './_base_/deeplabv3_mbv2_d8_voc12aug.py'
model = dict(backbone=dict(
    attention=dict(type='CoordAttention'),
    init_cfg=dict(checkpoint='checkpoints/mbv2_ca_imagenet.pth')))
