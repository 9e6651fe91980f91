# SSDLite320 on COCO with an mmca backbone (MobileNetV2, attention set by
# the configs that inherit this one).
#
# Based on mmdet's SSDLite-MobileNetV2 recipe (neck, depthwise head, anchors,
# 320x320 input, expand + min-IoU crop + photometric augmentation, SGD with
# momentum 0.9 and weight decay 4e-5, linear warm-up then cosine decay over
# 120 epochs of the train set repeated 5 times), with the CA authors'
# setting on top: an ImageNet-pretrained backbone, SyncBN (plain BN in
# single-process and CPU runs, which the tools switch to), and a batch of 256
# (8 GPUs x 32) at lr 0.02, mmdet's 0.015 at 192 scaled linearly.
_base_ = 'mmdet::ssd/ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py'
custom_imports = dict(imports=['mmca'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', eps=0.001, momentum=0.03)
# mmdet's ReLU6, out of place as in mmca's backbones: in place it costs a
# copy of its input under autograd (mmca/models/layers/activations.py)
act_cfg = dict(type='ReLU6', inplace=False)
model = dict(
    backbone=dict(
        _delete_=True,
        type='MobileNetV2CA',
        out_indices=(4, 7),  # 96 channels at stride 16, 1280 at stride 32
        norm_cfg=norm_cfg,
        # the backbone.* weights of an ImageNet classifier checkpoint
        init_cfg=dict(
            type='Pretrained', checkpoint=None, prefix='backbone.')),
    neck=dict(norm_cfg=norm_cfg, act_cfg=act_cfg),
    bbox_head=dict(type='SSDLiteHead', norm_cfg=norm_cfg, act_cfg=act_cfg))

train_dataloader = dict(batch_size=32)
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(base_batch_size=256)
