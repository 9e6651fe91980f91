from mmdet.datasets import VOCDataset

from mmca.cli import load_config
from mmca.datasets import classes_of_test_set, dataset_classes
from mmca.datasets.shapes import CLS_CLASSES, SEG_CLASSES, SHAPE_CLASSES


def test_a_demo_config_names_the_classes_of_its_registered_type():
    assert classes_of_test_set(load_config(
        'configs/demo/mbv2_ca_shapes_cls.py')) == CLS_CLASSES
    assert classes_of_test_set(load_config(
        'configs/demo/deeplabv3_mbv2_ca_shapes.py')) == SEG_CLASSES
    assert classes_of_test_set(load_config(
        'configs/demo/ssdlite_mbv2_ca_shapes.py')) == SHAPE_CLASSES


def test_wrappers_are_looked_through_and_metainfo_wins():
    voc = load_config('configs/ssdlite_mbv2_ca_voc.py')
    assert classes_of_test_set(voc) == VOCDataset.METAINFO['classes']
    wrapped = dict(type='RepeatDataset', times=2,
                   dataset=dict(type='VOCDataset',
                                metainfo=dict(classes=('cat', 'dog'))))
    assert dataset_classes(wrapped, 'mmdet') == ('cat', 'dog')
    assert dataset_classes(dict(type='VOCDataset'), None) is None
