# DeepLabV3-MBv2-CA (OS 8) on the generated Cityscapes-format shapes set
# (`python tools/make_demo_data.py --tasks seg`): trains and evaluates in
# minutes on a 2-core CPU. The model is deeplabv3_mbv2_ca_d8_cityscapes.py's
# with 5 classes and no pretrained weights. The recipe is one for a short CPU
# run: whole images at half size rather than crops (a crop of a large shape
# hides the outline that tells its class), residual blocks that start as
# the identity, AdamW with a short warm-up and poly decay, BN.
_base_ = '../deeplabv3_mbv2_ca_d8_cityscapes.py'

num_classes = 5  # as many as ShapesCityscapesDataset's METAINFO names
data_root = 'data/cityscapes_shapes/'
image_size = (128, 256)  # (H, W): half of the generated 256 x 512
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=image_size),
    backbone=dict(norm_cfg=norm_cfg, init_cfg=None, zero_init_residual=True),
    decode_head=dict(num_classes=num_classes, norm_cfg=norm_cfg),
    auxiliary_head=dict(num_classes=num_classes, norm_cfg=norm_cfg))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=image_size[::-1], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_size[::-1], keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
# The base's data_prefix (leftImg8bit/<split>, gtFine/<split>) is the set's.
dataset = dict(type='ShapesCityscapesDataset', data_root=data_root)
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline, **dataset))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=test_pipeline, **dataset))
test_dataloader = val_dataloader

max_iters = 700
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters)
optim_wrapper = dict(
    _delete_=True,
    # one group per set of options (the same updates, fewer calls)
    constructor='GroupedOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.002, weight_decay=0.01),
    paramwise_cfg=dict(norm_decay_mult=0, bias_decay_mult=0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=50),
    dict(type='PolyLR', power=0.9, eta_min=0, by_epoch=False, begin=0,
         end=max_iters)
]
auto_scale_lr = dict(enable=False, base_batch_size=8)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=250, max_keep_ckpts=2))
custom_hooks = [dict(type='ChannelsLastHook')]
