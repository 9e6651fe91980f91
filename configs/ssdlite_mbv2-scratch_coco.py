# From scratch, as mmdet trains its SSDLite (21.3 AP for plain MobileNetV2):
# no ImageNet weights, mmdet's TruncNormal init of the backbone.
_base_ = './ssdlite_mbv2_coco.py'
model = dict(backbone=dict(
    init_cfg=dict(
        _delete_=True, type='TruncNormal', layer='Conv2d', std=0.03)))
