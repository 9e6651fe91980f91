# MobileNetV3-Small (attention set by the configs that inherit this one):
# mmpretrain's recipe for it,
# mmpretrain::mobilenet_v3/mobilenet-v3-small_8xb128_in1k.py, is the Large
# one's with the small model
# (mmpretrain::_base_/models/mobilenet_v3/mobilenet_v3_small_imagenet.py:
# 576 channels into a 1024-wide hidden layer).
_base_ = './mbv3-large_imagenet.py'
model = dict(
    backbone=dict(type='MobileNetV3SmallCA', out_indices=(5, )),
    head=dict(in_channels=576, mid_channels=[1024]))
