# Output stride 16: the last three stages keep stride 16 and stage 6 is
# dilated by 2.
_base_ = './deeplabv3_mbv2_d8_voc.py'
model = dict(backbone=dict(
    strides=(1, 2, 2, 2, 1, 1, 1), dilations=(1, 1, 1, 1, 1, 2, 2)))
