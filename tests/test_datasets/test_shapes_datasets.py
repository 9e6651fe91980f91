"""The shapes sets read by real mmdet, mmseg and mmpretrain datasets: the
registered types (ShapesCocoDataset, ShapesCityscapesDataset,
ShapesImageNet) carry the classes and palette, and the demo configs use
them; the VOC sets read with the libraries' own types."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import DATASETS, DefaultScope

from mmca.datasets.shapes import (CLS_CLASSES, CLS_SIZE, SEG_CLASSES,
                                  SEG_PALETTE, SHAPE_CLASSES)

#: Each demo config, the type its datasets name and its head's class count.
DEMOS = {
    'configs/demo/ssdlite_mbv2_ca_shapes.py':
    ('ShapesCocoDataset', 'model.bbox_head.num_classes'),
    'configs/demo/deeplabv3_mbv2_ca_shapes.py':
    ('ShapesCityscapesDataset', 'model.decode_head.num_classes'),
    'configs/demo/mbv2_ca_shapes_cls.py':
    ('ShapesImageNet', 'model.head.num_classes'),
}
TYPES = {'ShapesCocoDataset': ('mmdet', SHAPE_CLASSES),
         'ShapesCityscapesDataset': ('mmseg', SEG_CLASSES),
         'ShapesImageNet': ('mmpretrain', CLS_CLASSES)}


def build(scope, **cfg):
    """Build a dataset the way the Runner does: by name, in ``scope``."""
    with DefaultScope.overwrite_default_scope(scope):
        return DATASETS.build(cfg)


def test_shapes_coco_dataset_reads_the_coco_set_with_its_classes(
        shapes_data):
    dataset = build(
        'mmdet', type='ShapesCocoDataset',
        data_root=str(shapes_data.root / 'coco_shapes'),
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='PackDetInputs')
        ])
    assert dataset.metainfo['classes'] == SHAPE_CLASSES
    assert len(dataset.metainfo['palette']) == len(SHAPE_CLASSES)
    assert len(dataset) == shapes_data.num_val
    for i in range(len(dataset)):
        sample = dataset[i]
        instances = sample['data_samples'].gt_instances
        assert len(instances) >= 2
        assert instances.labels.max() < len(SHAPE_CLASSES)
        h, w = sample['inputs'].shape[1:]
        boxes = instances.bboxes.tensor
        assert (boxes[:, 2:] > boxes[:, :2]).all()
        assert (boxes[:, 2] <= w).all() and (boxes[:, 3] <= h).all()


def test_shapes_cityscapes_dataset_reads_the_labels_with_classes_and_palette(
        shapes_data):
    dataset = build(
        'mmseg', type='ShapesCityscapesDataset',
        data_root=str(shapes_data.root / 'cityscapes_shapes'),
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations'),
            dict(type='PackSegInputs')
        ])
    assert dataset.metainfo['classes'] == SEG_CLASSES
    assert dataset.metainfo['palette'] == SEG_PALETTE
    assert len(dataset) == shapes_data.num_train
    seen = set()
    for i in range(len(dataset)):
        sample = dataset[i]
        labels = sample['data_samples'].gt_sem_seg.data
        assert labels.shape[1:] == sample['inputs'].shape[1:]
        values = set(labels.unique().tolist())
        assert values <= set(range(len(SEG_CLASSES)))
        assert len(values) >= 2
        seen |= values
    assert seen == set(range(len(SEG_CLASSES)))


def test_mmseg_cityscapes_dataset_refuses_the_shape_classes(shapes_data):
    # why ShapesCityscapesDataset is a BaseSegDataset
    from mmseg.datasets import CityscapesDataset
    with pytest.raises(ValueError, match='not a subset'):
        CityscapesDataset(
            data_root=str(shapes_data.root / 'cityscapes_shapes'),
            data_prefix=dict(img_path='leftImg8bit/train',
                             seg_map_path='gtFine/train'),
            metainfo=dict(classes=SEG_CLASSES))


def test_shapes_imagenet_reads_both_splits_with_their_labels(shapes_data):
    root = shapes_data.root / 'imagenet_shapes'
    for split, count in (('train', shapes_data.num_train),
                         ('val', shapes_data.num_val)):
        dataset = build(
            'mmpretrain', type='ShapesImageNet', data_root=str(root),
            split=split,
            pipeline=[dict(type='LoadImageFromFile'),
                      dict(type='PackInputs')])
        assert dataset.metainfo['classes'] == CLS_CLASSES
        assert len(dataset) == count
        lines = (root / 'meta' / f'{split}.txt').read_text().splitlines()
        labels = {name: int(label)
                  for name, label in (line.split() for line in lines)}
        for i in range(len(dataset)):
            sample = dataset[i]
            name = Path(dataset.get_data_info(i)['img_path']).relative_to(
                root / split).as_posix()
            assert sample['data_samples'].gt_label.tolist() == [labels[name]]
            h, w = sample['inputs'].shape[1:]
            low, high = CLS_SIZE
            assert low <= h <= high and low <= w <= high


def test_mmdet_voc_dataset_reads_the_voc2007_set(shapes_data):
    dataset = build(
        'mmdet', type='VOCDataset',
        data_root=str(shapes_data.root / 'VOCdevkit_shapes'),
        ann_file='VOC2007/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        metainfo=dict(classes=SHAPE_CLASSES),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='PackDetInputs')
        ])
    assert len(dataset) == shapes_data.num_train
    assert dataset.metainfo['dataset_type'] == 'VOC2007'
    labels = set()
    for i in range(len(dataset)):
        instances = dataset[i]['data_samples'].gt_instances
        assert len(instances) >= 2
        labels |= set(instances.labels.tolist())
        assert (instances.bboxes.tensor >= 0).all()
    assert labels == set(range(len(SHAPE_CLASSES)))


def test_mmseg_base_dataset_reads_the_voc2012_set(shapes_data):
    dataset = build(
        'mmseg', type='BaseSegDataset',
        data_root=str(shapes_data.root / 'VOCdevkit_shapes' / 'VOC2012'),
        ann_file='ImageSets/Segmentation/val.txt',
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClass'),
        img_suffix='.jpg', seg_map_suffix='.png',
        metainfo=dict(classes=SEG_CLASSES, palette=SEG_PALETTE),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadAnnotations'),
                  dict(type='PackSegInputs')])
    assert len(dataset) == shapes_data.num_val
    for i in range(len(dataset)):
        labels = dataset[i]['data_samples'].gt_sem_seg.data
        assert set(labels.unique().tolist()) <= \
            set(range(len(SEG_CLASSES))) | {255}


@pytest.mark.parametrize('config', DEMOS)
def test_demo_config_names_its_type_and_as_many_classes(config, repo_root):
    type_name, num_classes_key = DEMOS[config]
    cfg = Config.fromfile(f'{repo_root}/{config}')
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.type == type_name
        assert 'metainfo' not in dataset
    scope, classes = TYPES[type_name]
    assert cfg.default_scope == scope
    assert DATASETS.get(type_name).METAINFO['classes'] == classes
    num_classes = cfg
    for key in num_classes_key.split('.'):
        num_classes = num_classes[key]
    assert num_classes == len(classes)


# A finder that makes the named library unimportable, as if not installed.
BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == {blocked!r}:
            raise ModuleNotFoundError(f'No module named {{name!r}}')
sys.meta_path.insert(0, Block())
"""


@pytest.mark.slow
@pytest.mark.parametrize('missing', sorted({s for s, _ in TYPES.values()}))
def test_each_type_is_registered_only_where_its_library_imports(missing):
    script = BLOCK.format(blocked=missing) + textwrap.dedent(f"""
        import mmca
        from mmengine.registry import DATASETS
        for name, (scope, _) in {TYPES!r}.items():
            assert (DATASETS.get(name) is None) == (scope == {missing!r}), name
        assert {missing!r} not in sys.modules
        print('ok')
        """)
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == 'ok'
