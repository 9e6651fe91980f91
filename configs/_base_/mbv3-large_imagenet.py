# MobileNetV3-Large (attention set by the configs that inherit this one) on
# ImageNet-1k with mmpretrain's recipe for it,
# mmpretrain::mobilenet_v3/mobilenet-v3-large_8xb128_in1k.py (torchvision's):
# RMSprop at lr 0.064 for a batch of 1024 (8 GPUs x 128), decayed by 0.973
# every 2 epochs over 600, weight decay 1e-5; AutoAugment and random erasing
# (mmpretrain::_base_/datasets/imagenet_bs128_mbv3.py). ImageNet in
# mmpretrain's layout, as for _base_/mbv2_imagenet.py.
#
# The model is mmpretrain's too
# (mmpretrain::_base_/models/mobilenet_v3/mobilenet_v3_large_imagenet.py):
# the backbone's last stage (960 channels), global average pooling, a linear
# layer to 1280 with h-swish, dropout 0.2 and the classifier; with the BN of
# mmpretrain's MobileNetV3 (eps 1e-3, momentum 0.01), in which mmpretrain's
# weights, converted by tools/model_converters/se_networks_to_mmca.py,
# compute as they do there.
_base_ = 'mmpretrain::mobilenet_v3/mobilenet-v3-large_8xb128_in1k.py'
custom_imports = dict(imports=['mmca'], allow_failed_imports=False)

model = dict(backbone=dict(
    _delete_=True,
    type='MobileNetV3LargeCA',
    out_indices=(6, ),
    norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01)))
default_hooks = dict(checkpoint=dict(max_keep_ckpts=3, save_best='auto'))
