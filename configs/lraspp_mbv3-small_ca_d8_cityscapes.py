_base_ = './_base_/lraspp_mbv3-small_d8_cityscapes.py'
model = dict(backbone=dict(
    attention=dict(type='CoordAttention'),
    init_cfg=dict(checkpoint='checkpoints/mbv3-small_ca_imagenet.pth')))
