# LRASPP on MobileNetV3-Large (attention set by the configs that inherit this
# one) at output stride 8 on Cityscapes: mmseg's recipe,
# mmseg::mobilenet_v3/mobilenet-v3-d8_lraspp_4xb4-320k_cityscapes-512x1024.py
# (model mmseg::_base_/models/lraspp_m-v3-d8.py: the head on the stride-2
# 16-channel, stride-4 24-channel and stride-8 960-channel maps, SyncBN with
# eps 1e-3; 512x1024 crops, 4 GPUs x 4 images, SGD lr 0.01 with poly decay),
# with our backbone, ImageNet-pretrained, in place of mmseg's MobileNetV3.
#
# mmseg's out_indices (1, 3, 16) are its first block, last 24-channel block
# and final 1x1 conv: our stages 0, 1 and 6. mmseg keeps stride 8 from its
# 80-channel stage on, dilating the depthwise convs of the 80- and
# 112-channel stages by 2 and of the 160-channel stage by 4: our strides and
# dilations below.
#
# The recipe's name and mmseg's 69.54 mIoU are for 320k iterations (mmseg
# 0.x). Its mmseg 1.x file inherits schedule_160k and keeps a 320k `runner`
# key that mmengine does not read, so this takes schedule_320k.
_base_ = [
    'mmseg::_base_/models/lraspp_m-v3-d8.py',
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_320k.py'
]
custom_imports = dict(imports=['mmca'], allow_failed_imports=False)
crop_size = (512, 1024)
# mmseg's, written out: its copy in the mmseg file carries a `_scope_` key
# that a norm layer does not take
norm_cfg = dict(type='SyncBN', eps=0.001, requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        _delete_=True,
        type='MobileNetV3LargeCA',
        strides=(1, 2, 2, 1, 1, 1),
        dilations=(1, 1, 1, 2, 2, 4),
        out_indices=(0, 1, 6),
        norm_cfg=norm_cfg,
        # the backbone.* weights of an ImageNet classifier checkpoint
        init_cfg=dict(
            type='Pretrained', checkpoint=None, prefix='backbone.')))
train_dataloader = dict(batch_size=4, num_workers=4)
val_dataloader = dict(batch_size=1, num_workers=4)
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False, base_batch_size=16)
