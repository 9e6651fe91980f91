# SSDLite320-MBv2-CA on the generated COCO-format shapes set
# (`python tools/make_demo_data.py`): trains and evaluates in minutes on a
# 2-core CPU. The model is ssdlite_mbv2_ca_coco.py's with 4 classes and no
# pretrained weights; the recipe is one for a short CPU run: AdamW, a short
# warm-up then cosine decay, an EMA of the weights, BN for SyncBN (the
# COCO config's eps and momentum), and only flips for augmentation (expand
# + min-IoU crop, right for 600 COCO epochs, keep a short run from
# converging). 4 epochs of the 1200 training images in batches of 4 (1200
# iterations): in a run this short the number of updates matters more than
# the batch. It trains at 288x288, 0.85x the cost of 320, and tests at 320,
# the size its priors are set for (in pixels, so the same boxes at either
# size). docs/cpu.md has the recipes tried and what each scored in what
# time.
_base_ = '../ssdlite_mbv2_ca_coco.py'

num_classes = 4  # as many as ShapesCocoDataset's METAINFO names
data_root = 'data/coco_shapes/'
norm_cfg = dict(type='BN')
model = dict(
    backbone=dict(norm_cfg=norm_cfg, init_cfg=None),
    neck=dict(norm_cfg=norm_cfg),
    bbox_head=dict(num_classes=num_classes, norm_cfg=norm_cfg))

input_size = 320
train_size = 288
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(train_size, train_size), keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor'))
]
dataset = dict(type='ShapesCocoDataset', data_root=data_root)
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline,
        **dataset))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        test_mode=True,
        pipeline=test_pipeline,
        **dataset))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator

max_epochs = 4
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    _delete_=True,
    # one group per set of options, and fused: one kernel for each (the
    # same updates in fewer calls; docs/cpu.md)
    constructor='GroupedOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=0.003, weight_decay=0.05, fused=True),
    paramwise_cfg=dict(norm_decay_mult=0, bias_decay_mult=0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', begin=0, T_max=max_epochs, end=max_epochs,
         by_epoch=True, convert_to_iter_based=True, eta_min=0)
]
auto_scale_lr = dict(base_batch_size=4)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='auto'))
env_cfg = dict(cudnn_benchmark=False)
custom_hooks = [
    dict(type='ChannelsLastHook'),
    # checkpoints then hold the averaged weights, which test.py evaluates;
    # mmdet's ExpMomentumEMA in one batched update a step
    dict(type='EMAHook', ema_type='ForeachExpMomentumEMA', momentum=0.01,
         gamma=200, update_buffers=True, priority=49)
]
