_base_ = './_base_/mbv2_imagenet.py'
model = dict(backbone=dict(attention=dict(type='CBAM')))
