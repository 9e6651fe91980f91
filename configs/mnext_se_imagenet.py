_base_ = './_base_/mnext_imagenet.py'
model = dict(backbone=dict(attention=dict(type='SqueezeExcitation')))
