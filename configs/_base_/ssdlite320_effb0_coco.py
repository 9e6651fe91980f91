# SSDLite320 on COCO with EfficientNet-B0 (attention set by the configs
# that inherit this one). The neck and head read its last stage at
# stride 16 (stage 4, 112 channels) and at stride 32 (stage 7, the
# final 1x1 conv, 1280 channels), as MobileNetV2's read its stages 4 and
# 7.
_base_ = './ssdlite320_coco.py'
channels = (112, 1280, 512, 256, 256, 128)
model = dict(
    backbone=dict(type='EfficientNetB0CA', out_indices=(4, 7)),
    neck=dict(in_channels=channels[:2], out_channels=channels),
    bbox_head=dict(in_channels=channels))
