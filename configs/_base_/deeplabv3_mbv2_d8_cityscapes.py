# DeepLabV3-MobileNetV2 (OS 8) on Cityscapes: mmseg's MobileNetV2 DeepLabV3
# recipe (512x1024 crops, 4 GPUs x 2 images, SGD lr 0.01 with poly decay over
# 80k iterations) with the backbone ImageNet-pretrained, as in the paper.
_base_ = [
    './models/deeplabv3_mbv2_d8.py', 'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py'
]
custom_imports = dict(imports=['mmca'], allow_failed_imports=False)
crop_size = (512, 1024)
model = dict(data_preprocessor=dict(size=crop_size))
auto_scale_lr = dict(enable=False, base_batch_size=8)
