# MobileNetV2-CA on the generated positions set
# (`python tools/make_demo_data.py --tasks positions`): 64x64 images of two
# crosses; the label is whether they line up along a row, a column, or
# neither (mmca/datasets/positions/). The shapes demo's model and recipe
# with 3 classes and a shorter schedule (8 epochs of 1200 images), on a set
# where position matters (docs/analysis.md: compare_attention.py --task
# positions, and why 8 epochs).
_base_ = './mbv2_ca_shapes_cls.py'

num_classes = 3  # as many as ShapesPositions' METAINFO names
data_root = 'data/imagenet_positions/'
model = dict(head=dict(num_classes=num_classes, topk=(1, )))
data_preprocessor = dict(num_classes=num_classes)
dataset = dict(type='ShapesPositions', data_root=data_root)
train_dataloader = dict(dataset=dataset)
val_dataloader = dict(dataset=dataset)
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator

# The base's schedule over these epochs (its lists are read with its own)
max_epochs = 8
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=50),
    dict(type='CosineAnnealingLR', begin=0, T_max=max_epochs, end=max_epochs,
         by_epoch=True, convert_to_iter_based=True, eta_min=0)
]
