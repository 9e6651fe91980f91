_base_ = './_base_/ssdlite320_effb0_coco.py'
model = dict(backbone=dict(
    attention=dict(type='CoordAttention'),
    init_cfg=dict(checkpoint='checkpoints/effb0_ca_imagenet.pth')))
