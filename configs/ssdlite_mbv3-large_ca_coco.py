_base_ = './_base_/ssdlite320_mbv3-large_coco.py'
model = dict(backbone=dict(
    attention=dict(type='CoordAttention'),
    init_cfg=dict(checkpoint='checkpoints/mbv3-large_ca_imagenet.pth')))
