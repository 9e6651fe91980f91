_base_ = './_base_/mbv3-large_imagenet.py'
model = dict(backbone=dict(attention=dict(type='CoordAttention')))
