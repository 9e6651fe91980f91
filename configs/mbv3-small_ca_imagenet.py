_base_ = './_base_/mbv3-small_imagenet.py'
model = dict(backbone=dict(attention=dict(type='CoordAttention')))
