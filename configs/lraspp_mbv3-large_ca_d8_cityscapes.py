_base_ = './_base_/lraspp_mbv3-large_d8_cityscapes.py'
model = dict(backbone=dict(
    attention=dict(type='CoordAttention'),
    init_cfg=dict(checkpoint='checkpoints/mbv3-large_ca_imagenet.pth')))
