# MobileNetV2 (attention set by the configs that inherit this one) on
# ImageNet-1k, with the CA paper's recipe (Sec. 4.1 and the release README):
# 200 epochs, SGD with momentum 0.9 and weight decay 4e-5, a cosine schedule
# from an initial lr of 0.05 at batch 256, RandomResizedCrop 224 + flip and
# nothing else (no label smoothing, RandAugment, random erasing or mixup).
# The paper trains on 4 GPUs; this is 8 GPUs x 32, the same batch.
#
# The model is the release's: the backbone's last stage (1280 channels),
# global average pooling, dropout 0.1 and a linear layer (head.fc). The
# detection and segmentation configs load this checkpoint's backbone.* keys.
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/default_runtime.py'
]
custom_imports = dict(imports=['mmca'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    backbone=dict(type='MobileNetV2CA', out_indices=(7, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='DropoutLinearClsHead',
        num_classes=1000,
        in_channels=1280,
        drop_rate=0.1,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))

# ImageNet in mmpretrain's layout: train/<wnid>/*.JPEG, val/*.JPEG and the
# file lists meta/train.txt, meta/val.txt ("<path> <label>" per line).
data_root = 'data/imagenet/'
train_dataloader = dict(dataset=dict(
    data_root=data_root, ann_file='meta/train.txt', data_prefix='train'))
val_dataloader = dict(dataset=dict(
    data_root=data_root, ann_file='meta/val.txt', data_prefix='val'))
test_dataloader = val_dataloader

max_epochs = 200
optim_wrapper = dict(optimizer=dict(
    type='SGD', lr=0.05, momentum=0.9, weight_decay=4e-5))
param_scheduler = dict(
    type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True, begin=0,
    end=max_epochs)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(checkpoint=dict(max_keep_ckpts=3, save_best='auto'))
