"""The start-up check of a config's datasets: present, with annotation
files that parse, each named with the fix."""
import pytest
from mmengine.config import Config

from mmca.cli import load_config
from mmca.preflight import check_datasets
from mmca.preflight import datasets as dataset_checks
from mmca.utils import InputError


@pytest.mark.parametrize('config,task', [
    ('configs/demo/ssdlite_mbv2_ca_shapes.py', 'det'),
    ('configs/demo/deeplabv3_mbv2_ca_shapes.py', 'seg'),
    ('configs/demo/mbv2_ca_shapes_cls.py', 'cls'),
])
def test_a_missing_demo_set_names_the_command_that_makes_it(
        config, task, tmp_path):
    cfg = load_config(config)
    dataset = cfg.train_dataloader.dataset
    while 'dataset' in dataset:        # through RepeatDataset
        dataset = dataset.dataset
    dataset.data_root = f'{tmp_path}/'
    with pytest.raises(InputError) as err:
        check_datasets(cfg, ['train'])
    assert f'made by `python tools/make_demo_data.py --tasks {task}`' in \
        str(err.value)
    assert 'section "Demo data (generated)"' in str(err.value)


def coco_config(root):
    (root / 'train').mkdir()
    return Config(dict(train_dataloader=dict(dataset=dict(
        type='CocoDataset', data_root=f'{root}/', ann_file='ann.json',
        data_prefix=dict(img='train/')))))


def test_an_annotation_file_that_is_not_json_is_named_with_the_place(
        tmp_path):
    cfg = coco_config(tmp_path)
    (tmp_path / 'ann.json').write_text('{"images": [\n  {"id": 1,}\n]}')
    with pytest.raises(InputError) as err:
        check_datasets(cfg, ['train'])
    assert str(err.value) == (
        f'annotation file {tmp_path}/ann.json is not valid JSON: Expecting '
        'property name enclosed in double quotes at line 2 column 12 (char '
        '24). A download or copy cut short leaves such a file; get it again.')
    (tmp_path / 'ann.json').write_bytes(b'{"images": [\xff]}')
    with pytest.raises(InputError, match='is not valid JSON: it is not UTF-8 '
                       r'text \(byte 0xff at char 12\)'):
        check_datasets(cfg, ['train'])


def test_an_evaluator_annotation_file_is_parsed_too(tmp_path):
    cfg = coco_config(tmp_path)
    (tmp_path / 'ann.json').write_text('{}')
    (tmp_path / 'val.json').write_text('{"images": [')
    cfg.val_dataloader = cfg.train_dataloader
    cfg.val_evaluator = dict(type='CocoMetric',
                             ann_file=str(tmp_path / 'val.json'))
    check_datasets(cfg, ['train'])
    with pytest.raises(InputError, match=f'annotation file {tmp_path}/'
                       'val.json is not valid JSON: Expecting value at line 1 '
                       r'column 13 \(char 12\)'):
        check_datasets(cfg, ['val'])


def test_a_voc_annotation_that_is_not_xml_is_named_with_its_line(tmp_path):
    voc = tmp_path / 'VOC2007'
    (voc / 'Annotations').mkdir(parents=True)
    (voc / 'ImageSets' / 'Main').mkdir(parents=True)
    (voc / 'ImageSets' / 'Main' / 'train.txt').write_text('000001\n000002\n')
    (voc / 'Annotations' / '000001.xml').write_text(
        '<annotation><size></annotation>')
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='VOCDataset', data_root=f'{tmp_path}/',
        ann_file='VOC2007/ImageSets/Main/train.txt',
        data_prefix=dict(sub_data_root='VOC2007/')))))
    ann_file = f'{tmp_path}/VOC2007/ImageSets/Main/train.txt'
    with pytest.raises(InputError) as err:
        check_datasets(cfg, ['train'])
    assert str(err.value) == (
        f'annotation file {voc}/Annotations/000001.xml (line 1 of {ann_file})'
        ' is not valid XML: mismatched tag: line 1, column 20. Fix or replace '
        'it, or remove its line.')
    (voc / 'Annotations' / '000001.xml').write_text('<annotation/>')
    with pytest.raises(InputError, match=f'annotation file {voc}/Annotations/'
                       rf'000002.xml \(line 2 of {ann_file}\) does not exist'):
        check_datasets(cfg, ['train'])


def test_a_json_file_shared_by_a_dataset_and_an_evaluator_is_parsed_once(
        tmp_path, monkeypatch):
    cfg = coco_config(tmp_path)
    (tmp_path / 'ann.json').write_text('{}')
    cfg.val_dataloader = cfg.train_dataloader
    cfg.val_evaluator = dict(type='CocoMetric',
                             ann_file=str(tmp_path / 'ann.json'))
    parsed = []
    check = dataset_checks.check_json_file
    monkeypatch.setattr(dataset_checks, 'check_json_file',
                        lambda path: parsed.append(path) or check(path))
    check_datasets(cfg, ['train', 'val'])
    assert parsed == [f'{tmp_path}/ann.json']
