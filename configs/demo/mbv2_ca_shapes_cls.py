# MobileNetV2-CA on the generated ImageNet-layout shapes set
# (`python tools/make_demo_data.py --tasks cls`): 8 classes told apart by
# shape alone. The model is mbv2_ca_imagenet.py's with 8 classes; the recipe
# is one for a short CPU run: whole images at 64x64, flips, residual blocks
# that start as the identity, AdamW with a short warm-up then cosine decay,
# the network channels-last (faster on CPU).
_base_ = '../mbv2_ca_imagenet.py'

num_classes = 8  # as many as ShapesImageNet's METAINFO names
data_root = 'data/imagenet_shapes/'
input_size = 64
model = dict(
    backbone=dict(zero_init_residual=True),
    head=dict(num_classes=num_classes, topk=(1, 5)))
data_preprocessor = dict(num_classes=num_classes)

resize = dict(type='Resize', scale=(input_size, input_size), keep_ratio=False)
train_pipeline = [
    dict(type='LoadImageFromFile'), resize,
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'), resize,
    dict(type='PackInputs')
]
dataset = dict(type='ShapesImageNet', data_root=data_root)
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=train_pipeline, **dataset))
val_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=test_pipeline, **dataset))
test_dataloader = val_dataloader

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    _delete_=True,
    # one group per set of options (the same updates, fewer calls)
    constructor='GroupedOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=0.003, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0, bias_decay_mult=0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=50),
    dict(type='CosineAnnealingLR', begin=0, T_max=max_epochs, end=max_epochs,
         by_epoch=True, convert_to_iter_based=True, eta_min=0)
]
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='auto'))
custom_hooks = [dict(type='ChannelsLastHook')]
