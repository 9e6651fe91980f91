# The standard network: EfficientNet's own SE (EFFICIENTNET_SE of
# mmca/models/backbones/efficientnet_ca.py).
_base_ = './_base_/ssdlite320_effb0_coco.py'
model = dict(backbone=dict(
    attention=dict(
        type='SqueezeExcitation', reduction=4, min_channels=1,
        squeeze_from='block_input', act_cfg=dict(type='SiLU')),
    init_cfg=dict(checkpoint='checkpoints/effb0_imagenet.pth')))
