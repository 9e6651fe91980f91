_base_ = './_base_/ssdlite320_voc0712.py'
model = dict(backbone=dict(
    attention=None,
    init_cfg=dict(checkpoint='checkpoints/mbv2_imagenet.pth')))
