_base_ = './_base_/ssdlite320_voc0712.py'
model = dict(backbone=dict(
    attention=dict(type='CoordAttention'),
    init_cfg=dict(checkpoint='checkpoints/mbv2_ca_imagenet.pth')))
