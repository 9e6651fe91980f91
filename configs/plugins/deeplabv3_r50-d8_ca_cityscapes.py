# DeepLabV3 ResNetV1c-50-D8 (mmseg's 80k Cityscapes schedule) with coordinate
# attention after the 3x3 conv of every bottleneck in stages 2-4.
_base_ = 'mmseg::deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py'
custom_imports = dict(imports=['mmca'], allow_failed_imports=False)

model = dict(
    backbone=dict(plugins=[
        dict(
            cfg=dict(type='CoordAttention', reduction=32),
            stages=(False, True, True, True),
            position='after_conv2')
    ]))
