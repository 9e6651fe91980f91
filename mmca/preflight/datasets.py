"""The datasets a config reads: present, and their annotation files
readable."""
import json
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Callable, Dict, Iterator, List, Sequence

from mmengine.config import Config

from mmca.utils import InputError

#: Where each dataset is expected, and the section of docs/datasets.md
#: that tells how to get it.
DATASET_LAYOUTS = {
    'CocoDataset': (
        'COCO', 'data/coco/annotations/instances_{train,val}2017.json and '
        'data/coco/{train,val}2017/*.jpg', 'COCO'),
    'VOCDataset': (
        'Pascal VOC detection', 'data/VOCdevkit/VOC2007 and VOC2012, each '
        'with Annotations/, ImageSets/Main/ and JPEGImages/', 'Pascal VOC'),
    'CityscapesDataset': (
        'Cityscapes', 'data/cityscapes/leftImg8bit/{train,val}/<city>/*.png '
        'and data/cityscapes/gtFine/{train,val}/<city>/'
        '*_gtFine_labelTrainIds.png (made by tools/dataset_converters/'
        'cityscapes.py)', 'Cityscapes'),
    'ImageNet': (
        'ImageNet', 'data/imagenet/{train,val}/ with the file lists '
        'data/imagenet/meta/{train,val}.txt ("<path> <label>" per line), as '
        'mmpretrain reads it', 'ImageNet'),
    'PascalVOCDataset': (
        'Pascal VOC 2012 segmentation (with SBD)', 'data/VOCdevkit/VOC2012/'
        '{JPEGImages,SegmentationClass,SegmentationClassAug,'
        'ImageSets/Segmentation} (SegmentationClassAug made by '
        'tools/dataset_converters/voc_aug.py)', 'Pascal VOC'),
    'ShapesCocoDataset': (
        'generated shapes (COCO format)', 'data/coco_shapes/{train,val}/ and '
        'data/coco_shapes/annotations/instances_{train,val}.json, made by '
        '`python tools/make_demo_data.py --tasks det`',
        'Demo data (generated)'),
    'ShapesCityscapesDataset': (
        'generated shapes (Cityscapes format)', 'data/cityscapes_shapes/'
        '{leftImg8bit,gtFine}/{train,val}/<city>/, made by '
        '`python tools/make_demo_data.py --tasks seg`',
        'Demo data (generated)'),
    'ShapesImageNet': (
        'generated shapes (ImageNet format)', 'data/imagenet_shapes/'
        '{train,val}/ and meta/{train,val}.txt, made by '
        '`python tools/make_demo_data.py --tasks cls`',
        'Demo data (generated)'),
}


def iter_datasets(dataset: Dict) -> Iterator[Dict]:
    """The leaf dataset configs under wrappers (Repeat, Concat, ...)."""
    if 'dataset' in dataset:
        yield from iter_datasets(dataset['dataset'])
    elif 'datasets' in dataset:
        for child in dataset['datasets']:
            yield from iter_datasets(child)
    else:
        yield dataset


def _dataset_paths(dataset: Dict) -> List[str]:
    root = dataset.get('data_root') or ''
    paths = [root] if root else []
    if dataset.get('ann_file'):
        paths.append(osp.join(root, dataset['ann_file']))
    prefix = dataset.get('data_prefix') or {}
    if isinstance(prefix, str):     # mmpretrain's datasets take a plain path
        prefix = dict(img_path=prefix)
    paths += [osp.join(root, p) for p in prefix.values() if p]
    return paths


def check_datasets(cfg: Config, splits: Sequence[str]) -> None:
    """Check the files the ``splits`` dataloaders read exist, up front, and
    that their annotation files parse: a COCO JSON file (of a dataset or an
    evaluator) and the VOC XML file of every image listed. A JSON file
    that several datasets and evaluators share is parsed once."""
    parsed = set()

    def check_json_once(path: str) -> None:
        if osp.realpath(path) not in parsed:
            check_json_file(path)
            parsed.add(osp.realpath(path))

    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        for dataset in iter_datasets(loader['dataset']):
            missing = [p for p in _dataset_paths(dataset) if not osp.exists(p)]
            if missing:
                raise InputError(
                    _missing_data_message(dataset, split, missing[0], cfg))
            _check_annotations(dataset, check_json_once)
        evaluators = cfg.get(f'{split}_evaluator') or []
        for evaluator in (evaluators if isinstance(evaluators, (list, tuple))
                          else [evaluators]):
            path = evaluator.get('ann_file') if isinstance(
                evaluator, dict) else None
            if path and path.endswith('.json'):
                if not osp.isfile(path):
                    raise InputError(f'{split}_evaluator.ann_file {path} does '
                                     'not exist; set it with --cfg-options')
                check_json_once(path)


def _check_annotations(dataset: Dict,
                       check_json: Callable[[str], None]) -> None:
    root = dataset.get('data_root') or ''
    ann_file = osp.join(root, dataset.get('ann_file') or '')
    if ann_file.endswith('.json'):
        check_json(ann_file)
    prefix = dataset.get('data_prefix')
    if isinstance(prefix, dict) and 'sub_data_root' in prefix and \
            osp.isfile(ann_file):
        # mmdet's XMLDataset: <sub_data_root>/<ann_subdir>/<id>.xml per line
        xml_dir = osp.join(root, prefix['sub_data_root'],
                           dataset.get('ann_subdir', 'Annotations'))
        with open(ann_file) as ids:
            for number, img_id in enumerate(ids, 1):
                if img_id.strip():
                    check_xml_file(osp.join(xml_dir, f'{img_id.strip()}.xml'),
                                   f'line {number} of {ann_file}')


def check_json_file(path: str) -> None:
    """Check ``path`` parses as JSON; name the place where it does not."""
    with open(path, 'rb') as file:
        try:
            json.load(file)
        except json.JSONDecodeError as err:
            raise InputError(
                f'annotation file {path} is not valid JSON: {err.msg} at '
                f'line {err.lineno} column {err.colno} (char {err.pos}). A '
                'download or copy cut short leaves such a file; get it '
                'again.') from None
        except UnicodeDecodeError as err:
            raise InputError(
                f'annotation file {path} is not valid JSON: it is not UTF-8 '
                f'text (byte {err.object[err.start]:#04x} at char '
                f'{err.start}); get it again.') from None


def check_xml_file(path: str, entry: str) -> None:
    """Check the XML annotation of one image (listed at ``entry``) parses."""
    if not osp.isfile(path):
        raise InputError(f'annotation file {path} ({entry}) does not exist: '
                         'add it, or remove its line.')
    try:
        ET.parse(path)
    except ET.ParseError as err:
        raise InputError(f'annotation file {path} ({entry}) is not valid '
                         f'XML: {err}. Fix or replace it, or remove its '
                         'line.') from None


def _missing_data_message(dataset: Dict, split: str, path: str,
                          cfg: Config) -> str:
    name, layout, section = DATASET_LAYOUTS.get(
        dataset.get('type'),
        (dataset.get('type'), 'see its config', 'Datasets'))
    return (f'The {name} {split} data of {cfg.filename} is missing: {path} '
            f'does not exist. Expected layout: {layout}. docs/datasets.md, '
            f'section "{section}", says how to get it; to try the '
            'pipeline without it, run `python tools/make_demo_data.py` and a '
            'config of configs/demo/, or set data_root with --cfg-options.')
