_base_ = './_base_/ssdlite320_coco.py'
model = dict(backbone=dict(
    attention=None,
    init_cfg=dict(checkpoint='checkpoints/mbv2_imagenet.pth')))
