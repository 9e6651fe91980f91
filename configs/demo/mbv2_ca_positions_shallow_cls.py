# The positions set (mbv2_ca_positions_cls.py) on MobileNetV2-CA cut after
# its second block stage: stride 4, 24 channels, and a receptive field of
# 19x19 px (the stem's 3x3 at stride 2 and three 3x3 depthwise convs),
# less than the 16-50 px between two crosses that line up. No unit of the
# last map sees both crosses, so the network without attention cannot tell
# the classes apart, nor can SE, whose squeeze pools the whole map without
# where; CA pools whole rows and whole columns, so its gates can relate two
# crosses anywhere on a row or column (docs/analysis.md). 24 epochs: at 8,
# whether CA had learned it yet varied by seed.
_base_ = './mbv2_ca_positions_cls.py'

model = dict(
    backbone=dict(out_indices=(1, )),
    head=dict(in_channels=24))  # the last kept stage's channels

# The base's schedule over these epochs (its lists are read with its own)
max_epochs = 24
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=50),
    dict(type='CosineAnnealingLR', begin=0, T_max=max_epochs, end=max_epochs,
         by_epoch=True, convert_to_iter_based=True, eta_min=0)
]
