# MobileNeXt feeds the neck from its stride-16 and stride-32 stage outputs
# (384 and 1280 channels), where MobileNetV2 gives 96 and 1280.
_base_ = './_base_/ssdlite320_coco.py'
channels = (384, 1280, 512, 256, 256, 128)
model = dict(
    backbone=dict(
        type='MobileNeXtCA',
        attention=dict(type='CoordAttention'),
        init_cfg=dict(checkpoint='checkpoints/mnext_ca_imagenet.pth')),
    neck=dict(in_channels=channels[:2], out_channels=channels),
    bbox_head=dict(in_channels=channels))
