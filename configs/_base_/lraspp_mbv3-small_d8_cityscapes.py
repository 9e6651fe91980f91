# LRASPP on MobileNetV3-Small at output stride 8 on Cityscapes: mmseg's
# recipe, mmseg::mobilenet_v3/mobilenet-v3-d8-s_lraspp_4xb4-320k_cityscapes-
# 512x1024.py, which is the Large one's with the Small backbone and the head
# on its stride-2 stem (16 channels), stride-4 first block (16) and stride-8
# final 1x1 conv (576).
#
# mmseg's out_indices (0, 1, 12) are its stem, first block and final 1x1
# conv: our stem (-1), stages 0 and 5. mmseg keeps stride 8 from its
# 40-channel stage on, dilating the depthwise convs of the 40- and
# 48-channel stages by 2 and of the 96-channel stage by 4: our strides and
# dilations below.
_base_ = './lraspp_mbv3-large_d8_cityscapes.py'
model = dict(
    backbone=dict(
        type='MobileNetV3SmallCA',
        strides=(2, 2, 1, 1, 1),
        dilations=(1, 1, 2, 2, 4),
        out_indices=(-1, 0, 5)),
    decode_head=dict(in_channels=(16, 16, 576)))
