# DeepLabV3-MobileNetV2 (OS 8) on Pascal VOC 2012 with the SBD augmented
# training set (10,582 images, made by tools/dataset_converters/voc_aug.py),
# evaluated on VOC 2012 val: mmseg's DeepLabV3 VOC recipe (512x512 crops,
# 4 GPUs x 4 images, SGD lr 0.01 with poly decay over 20k iterations) with
# the backbone ImageNet-pretrained, as in the paper.
_base_ = [
    './models/deeplabv3_mbv2_d8.py',
    'mmseg::_base_/datasets/pascal_voc12_aug.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_20k.py'
]
custom_imports = dict(imports=['mmca'], allow_failed_imports=False)
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21))
auto_scale_lr = dict(enable=False, base_batch_size=16)
