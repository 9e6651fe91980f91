# SSDLite320 on COCO with MobileNetV3-Small (attention set by the configs
# that inherit this one). The neck and head read its last stage at
# stride 16 (stage 3, 48 channels) and at stride 32 (stage 5, the
# final 1x1 conv, 576 channels), as MobileNetV2's read its stages 4 and
# 7.
_base_ = './ssdlite320_coco.py'
channels = (48, 576, 512, 256, 256, 128)
model = dict(
    backbone=dict(type='MobileNetV3SmallCA', out_indices=(3, 5)),
    neck=dict(in_channels=channels[:2], out_channels=channels),
    bbox_head=dict(in_channels=channels))
