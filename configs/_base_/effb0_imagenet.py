# EfficientNet-B0 (attention set by the configs that inherit this one) on
# ImageNet-1k with mmpretrain's recipe for it,
# mmpretrain::efficientnet/efficientnet-b0_8xb32_in1k.py: mmpretrain's
# schedule for a batch of 256 (8 GPUs x 32;
# mmpretrain::_base_/schedules/imagenet_bs256.py: SGD at lr 0.1, momentum
# 0.9, weight decay 1e-4, lr x0.1 at epochs 30, 60 and 90 of 100) with
# EfficientNet's crops (EfficientNetRandomCrop, EfficientNetCenterCrop at
# 224) and flips. ImageNet in mmpretrain's layout, as for
# _base_/mbv2_imagenet.py.
#
# The model is mmpretrain's too (mmpretrain::_base_/models/efficientnet_b0.py):
# the backbone's last stage (1280 channels), global average pooling and a
# linear classifier; with the TensorFlow padding and BN eps 1e-3 of
# mmpretrain's EfficientNet, in which mmpretrain's weights, converted by
# tools/model_converters/se_networks_to_mmca.py, compute as they do there.
_base_ = 'mmpretrain::efficientnet/efficientnet-b0_8xb32_in1k.py'
custom_imports = dict(imports=['mmca'], allow_failed_imports=False)

model = dict(backbone=dict(
    _delete_=True,
    type='EfficientNetB0CA',
    out_indices=(7, ),
    conv_cfg=dict(type='Conv2dAdaptivePadding'),
    norm_cfg=dict(type='BN', eps=1e-3)))
default_hooks = dict(checkpoint=dict(max_keep_ckpts=3, save_best='auto'))
