"""The datasets a config reads: present, their annotation files readable,
and what those hold (COCO files, mmpretrain image lists) fit for the
config."""
import importlib
import json
import os.path as osp
import sys
import xml.etree.ElementTree as ET
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

from mmengine.config import Config

from mmca.datasets.dataset_classes import dataset_classes
from mmca.utils import InputError
from .coco import check_coco_annotations
from .image_lists import check_image_list
from .task import TASK_SCOPES

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
    that their annotation files parse and hold what the library reads: a
    COCO JSON file (of a dataset or an evaluator; :mod:`.coco`), the VOC
    XML file of every image listed, an mmpretrain image list
    (:mod:`.image_lists`). A JSON file that several datasets and
    evaluators share is parsed once. What mmdet leaves out of a training
    set by design is one ``warning:`` line on stderr a file."""
    scope = cfg.get('default_scope')
    parsed, warned = {}, set()

    def load_json(path: str) -> Any:
        if osp.realpath(path) not in parsed:
            parsed[osp.realpath(path)] = check_json_file(path)
        return parsed[osp.realpath(path)]

    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        coco_images = {}
        for dataset in iter_datasets(loader['dataset']):
            missing = [p for p in _dataset_paths(dataset) if not osp.exists(p)]
            if missing:
                raise InputError(
                    _missing_data_message(dataset, split, missing[0], cfg))
            warning = _check_annotations(dataset, load_json, scope, cfg,
                                         split == 'train', coco_images)
            if warning and warning not in warned:
                warned.add(warning)
                print(f'warning: {warning}', file=sys.stderr)
        evaluators = cfg.get(f'{split}_evaluator') or []
        for evaluator in (evaluators if isinstance(evaluators, (list, tuple))
                          else [evaluators]):
            path = evaluator.get('ann_file') if isinstance(
                evaluator, dict) else None
            if path and path.endswith('.json'):
                if not osp.isfile(path):
                    raise InputError(f'{split}_evaluator.ann_file {path} does '
                                     'not exist; set it with --cfg-options')
                data = load_json(path)
                if scope == 'mmdet' and _type_name(evaluator) == 'CocoMetric':
                    check_coco_annotations(
                        path, data, dataset_classes(loader['dataset'], scope),
                        with_annotations=not evaluator.get('format_only'))
                    _check_evaluator_images(split, path, data, coco_images)


def _check_annotations(dataset: Dict, load_json: Callable[[str], Any],
                       scope: Optional[str], cfg: Config, training: bool,
                       coco_images: Dict[str, set]) -> Optional[str]:
    """Check a dataset's annotation file; a warning line, if any. The image
    ids of a COCO file go to ``coco_images``, by file."""
    root = dataset.get('data_root') or ''
    ann_file = osp.join(root, dataset.get('ann_file') or '')
    kind = _dataset_class(dataset, scope)
    warning = None
    if ann_file.endswith('.json'):
        data = load_json(ann_file)
        if _is_subclass(kind, 'mmdet.datasets', 'CocoDataset'):
            test_mode = dataset.get('test_mode', False)
            warning = check_coco_annotations(
                ann_file, data, dataset_classes(dataset, scope),
                with_annotations=not test_mode,
                training=training and not test_mode,
                filter_cfg=dataset.get('filter_cfg'))
            coco_images[ann_file] = {image['id'] for image in data['images']}
    image_list = _image_list(dataset, kind, ann_file)
    if image_list:
        check_image_list(image_list, _num_classes(dataset, scope, cfg))
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
    return warning


def _check_evaluator_images(split: str, path: str, data: Dict,
                            coco_images: Dict[str, set]) -> None:
    """The evaluator's file lists every image of the split's COCO files:
    pycocotools refuses predictions of an image it does not know."""
    known = {image['id'] for image in data['images']}
    for ann_file, image_ids in coco_images.items():
        unknown = image_ids - known
        if unknown:
            raise InputError(
                f'{split}_evaluator.ann_file {path} does not list image id '
                f'{sorted(unknown, key=str)[0]!r} of {ann_file} '
                f'({len(unknown)} of its {len(image_ids)} images are not '
                'there): the metric could not score their predictions. '
                f'Set {split}_evaluator.ann_file to {ann_file}.')


def _dataset_class(dataset: Dict, scope: Optional[str]) -> Optional[type]:
    """The class a dataset config builds, looked up in ``scope``."""
    kind = dataset.get('type')
    if isinstance(kind, type):
        return kind
    if not isinstance(kind, str) or scope not in TASK_SCOPES:
        return None
    return importlib.import_module(f'{scope}.registry').DATASETS.get(kind)


def _is_subclass(kind: Optional[type], module: str, name: str) -> bool:
    """Whether ``kind`` is ``module.name`` or a subclass of it."""
    return isinstance(kind, type) and issubclass(
        kind, getattr(importlib.import_module(module), name))


def _image_list(dataset: Dict, kind: Optional[type],
                ann_file: str) -> Optional[str]:
    """The ``<path> <label>`` list an mmpretrain ``CustomDataset`` (as
    ImageNet) reads with labels, if it reads one."""
    if not _is_subclass(kind, 'mmpretrain.datasets', 'CustomDataset'):
        return None
    from mmpretrain.datasets import CustomDataset
    if kind.load_data_list is not CustomDataset.load_data_list or \
            not dataset.get('with_label', True):
        return None
    if not dataset.get('ann_file') and dataset.get('split'):
        # ImageNet(split=...) reads meta/<split>.txt where there is one
        ann_file = osp.join(dataset.get('data_root') or '', 'meta',
                            f'{dataset["split"]}.txt')
    return ann_file if osp.isfile(ann_file) else None


def _num_classes(dataset: Dict, scope: Optional[str], cfg: Config) -> int:
    """The classes a label may index: the dataset's, and no more than the
    classifier's head has."""
    counts = []
    classes = dataset.get('classes') or dataset_classes(dataset, scope)
    if isinstance(classes, (list, tuple)):
        counts.append(len(classes))
    head = (cfg.get('model') or {}).get('head')
    if isinstance(head, dict) and isinstance(head.get('num_classes'), int):
        counts.append(head['num_classes'])
    if not counts:
        raise InputError(
            f'{cfg.filename}: the classes of the {dataset.get("type")} '
            'dataset are not known; set its metainfo=dict(classes=...) or '
            'model.head.num_classes.')
    return min(counts)


def _type_name(step: Dict) -> Optional[str]:
    kind = step.get('type')
    if isinstance(kind, type):
        return kind.__name__
    return kind.split('.')[-1] if isinstance(kind, str) else None


def check_json_file(path: str) -> Any:
    """Check ``path`` parses as JSON; name the place where it does not.
    Returns what it holds."""
    with open(path, 'rb') as file:
        try:
            return json.load(file)
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
