# SSDLite320 on Pascal VOC: trained on VOC2007 + VOC2012 trainval, tested on
# VOC2007 test with mAP at IoU 0.5 (VOC2007's 11-point AP), 20 classes.
# Schedule as mmdet's SSD300 VOC recipe: the data repeated 10 times, 24
# epochs (about 15k iterations at a batch of 256), cosine decay.
_base_ = './ssdlite320_coco.py'

dataset_type = 'VOCDataset'
data_root = 'data/VOCdevkit/'
voc_trainval = dict(
    type=dataset_type,
    data_root=data_root,
    filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32),
    pipeline={{_base_.train_pipeline}})
model = dict(bbox_head=dict(num_classes=20))
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='RepeatDataset',
        times=10,
        dataset=dict(
            type='ConcatDataset',
            ignore_keys=['dataset_type'],
            datasets=[
                dict(voc_trainval,
                     ann_file='VOC2007/ImageSets/Main/trainval.txt',
                     data_prefix=dict(sub_data_root='VOC2007/')),
                dict(voc_trainval,
                     ann_file='VOC2012/ImageSets/Main/trainval.txt',
                     data_prefix=dict(sub_data_root='VOC2012/')),
            ])))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file='VOC2007/ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        test_mode=True,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='VOCMetric', metric='mAP',
                     eval_mode='11points')
test_evaluator = val_evaluator

max_epochs = 24
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='CosineAnnealingLR', begin=0, T_max=max_epochs, end=max_epochs,
         by_epoch=True, eta_min=0)
]
