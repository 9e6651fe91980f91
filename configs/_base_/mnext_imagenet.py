# MobileNeXt (attention set by the configs that inherit this one) with the
# recipe of MobileNetV2: its last stage is stage 7 too, 1280 channels wide.
_base_ = './mbv2_imagenet.py'
model = dict(backbone=dict(type='MobileNeXtCA'))
