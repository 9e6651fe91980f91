_base_ = './_base_/ssdlite320_coco.py'
model = dict(backbone=dict(
    attention=dict(type='CBAM'),
    init_cfg=dict(checkpoint='checkpoints/mbv2_cbam_imagenet.pth')))
