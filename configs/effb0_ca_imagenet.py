_base_ = './_base_/effb0_imagenet.py'
model = dict(backbone=dict(attention=dict(type='CoordAttention')))
