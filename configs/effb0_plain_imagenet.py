# Without attention in the blocks that have the SE slot.
_base_ = './_base_/effb0_imagenet.py'
model = dict(backbone=dict(attention=None))
