# Faster R-CNN R-50-FPN (mmdet's 1x COCO schedule) with coordinate attention
# after the 3x3 conv of every bottleneck in stages 2-4, as an mmcv plugin.
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['mmca'], allow_failed_imports=False)

model = dict(
    backbone=dict(plugins=[
        dict(
            cfg=dict(type='CoordAttention', reduction=32),
            stages=(False, True, True, True),
            position='after_conv2')
    ]))
