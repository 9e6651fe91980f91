"""Pre-flight checks: a user's mistake found before any work starts.

Every check raises :class:`InputError` with one line that names the problem
and the fix; the tools report it through :func:`run_tool`.
"""
import difflib
import importlib
import inspect
import json
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Any, Callable, Dict, Iterator, List, Sequence, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import Runner

from mmca.utils import compare_state_dicts, load_weights, select_prefix
from .errors import InputError

#: The scopes the tools run, and the task each is for.
TASK_SCOPES = {'mmpretrain': 'classification', 'mmdet': 'detection',
               'mmseg': 'segmentation'}

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
}


def check_task(cfg: Config, tool: str,
               scopes: Sequence[str] = tuple(TASK_SCOPES)) -> str:
    """Check ``cfg`` is a config of a task ``tool`` runs; return its scope."""
    scope = cfg.get('default_scope')
    if scope not in scopes:
        known = ', '.join(f"default_scope='{s}' ({TASK_SCOPES[s]})"
                          for s in scopes)
        names = ', '.join(scopes[:-1]) + f' and {scopes[-1]}'
        raise InputError(
            f'{tool} runs {names} configs, but '
            f'{cfg.filename} has default_scope={scope!r}. Configs set {known}; '
            'they do when they inherit that library\'s base configs.')
    model_type = cfg.get('model', {}).get('type')
    if model_type is None:
        raise InputError(f'{cfg.filename} defines no model with a type')
    init_default_scope(scope)
    if _scope_models(scope).get(model_type) is None:
        owner = [s for s in scopes
                 if s != scope and _scope_models(s).get(model_type)]
        hint = (f" It is an {owner[0]} model: use an {owner[0]} config "
                f"(default_scope='{owner[0]}')." if owner else '')
        raise InputError(f'{cfg.filename}: model type {model_type!r} is not '
                          f'known in the {scope} scope.{hint}')
    return scope


def _scope_models(scope: str):
    registry = importlib.import_module(f'{scope}.registry')
    registry.MODELS.import_from_location()
    return registry.MODELS


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
                raise InputError(_missing_data_message(dataset, split,
                                                        missing[0], cfg))
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
        dataset.get('type'), (dataset.get('type'), 'see its config', 'Datasets'))
    return (f'The {name} {split} data of {cfg.filename} is missing: {path} '
            f'does not exist. Expected layout: {layout}. docs/datasets.md, '
            f'section "{section}", says how to get it; to try the '
            'pipeline without it, run `python tools/make_demo_data.py` and a '
            'config of configs/demo/, or set data_root with --cfg-options.')


def check_pretrained(cfg: Config) -> None:
    """Check each local checkpoint a ``Pretrained`` init loads fits its module.

    A backbone ``init_cfg`` with ``prefix='backbone.'`` takes the backbone of
    an ImageNet classifier checkpoint: the checkpoint must hold every weight
    of the backbone, in the same shapes. Weights of stages the backbone does
    not build (a stride-8 segmentation backbone stops before the last) are
    left out, as mmengine leaves them.
    """
    for path, init_cfg in _pretrained_inits(cfg.get('model', {})):
        checkpoint = init_cfg.get('checkpoint') or ''
        if '://' in checkpoint:
            continue
        if not osp.isfile(checkpoint):
            raise InputError(
                f'{cfg.filename} initialises {path or "the model"} from '
                f'{checkpoint or "None"}, which does not exist. Pretrain it '
                'with tools/train.py and the matching configs/*_imagenet.py, '
                'or for MobileNetV2 + CA convert the released weights '
                '(docs/pretraining.md); or train from scratch '
                f'with --cfg-options {path}.init_cfg=None.')
        if path.split('.')[-1:] == ['backbone']:
            _check_backbone_checkpoint(cfg, path, init_cfg)


def _check_backbone_checkpoint(cfg: Config, path: str, init_cfg: Dict) -> None:
    node = cfg.model
    for part in path.split('.')[1:]:
        node = node[part]
    backbone_cfg = dict(node, init_cfg=None)
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    expected = MODELS.build(backbone_cfg).state_dict()
    checkpoint = init_cfg['checkpoint']
    weights = load_weights(checkpoint)
    prefix = init_cfg.get('prefix')
    if prefix:
        if not any(key.startswith(prefix) for key in weights):
            raise InputError(
                f'{checkpoint} has no {prefix}* weights for {path}: it is not '
                'a classifier checkpoint of tools/train.py or of the release '
                'converter (tools/model_converters/). Convert it, or drop '
                f'prefix from {path}.init_cfg if it holds a bare backbone.')
        weights = select_prefix(weights, prefix)
    mismatch = compare_state_dicts(weights, expected)
    built = {key.split('.')[0] for key in expected}
    mismatch.unexpected = [key for key in mismatch.unexpected
                           if key.split('.')[0] in built]
    if mismatch:
        raise InputError(
            f'{checkpoint} does not fit {path} ({backbone_cfg["type"]}, '
            f'attention={backbone_cfg.get("attention", "default")}): '
            f'{mismatch.describe()}. Was it trained with another backbone or '
            'attention? Use the checkpoint of the matching configs/'
            '*_imagenet.py.')


def _pretrained_inits(node: Any, path: str = 'model'
                      ) -> Iterator[Tuple[str, Dict]]:
    """``(path of the module config, init_cfg)`` of every Pretrained init."""
    if isinstance(node, dict):
        init_cfgs = node.get('init_cfg')
        for init_cfg in (init_cfgs if isinstance(init_cfgs, (list, tuple))
                         else [init_cfgs]):
            if isinstance(init_cfg, dict) and \
                    init_cfg.get('type') == 'Pretrained':
                yield path, init_cfg
        for key, value in node.items():
            if key != 'init_cfg':
                yield from _pretrained_inits(value, f'{path}.{key}')
    elif isinstance(node, (list, tuple)):
        for index, item in enumerate(node):
            yield from _pretrained_inits(item, f'{path}.{index}')


def check_checkpoint_matches(model: torch.nn.Module, path: str) -> None:
    """Check a checkpoint holds exactly the weights of ``model``."""
    weights = load_weights(path)
    mismatch = compare_state_dicts(weights, model.state_dict())
    if not mismatch:
        return
    hint = 'Was it trained with another config?'
    if mismatch.wrong_shape and all(
            key.startswith(('head.', 'bbox_head.', 'decode_head.'))
            for key in mismatch.wrong_shape):
        hint = ('Its head was trained for another number of classes. To '
                'fine-tune from it, load its backbone alone: --cfg-options '
                "model.backbone.init_cfg.type=Pretrained "
                f"model.backbone.init_cfg.checkpoint={path} "
                "model.backbone.init_cfg.prefix=backbone.")
    elif any(key.startswith(('features.', 'classifier.'))
             for key in mismatch.unexpected):
        hint = ('It is a checkpoint of the released code: convert it with '
                'tools/model_converters/coordattention_to_mmca.py first.')
    raise InputError(f'checkpoint {path} does not match the model of the '
                      f'config: {mismatch.describe()}. {hint}')


def check_cfg_options(cfg: Config, options: Dict) -> None:
    """Check every ``--cfg-options`` key extends a path the config has, or
    sets an argument of mmengine's ``Runner`` the config leaves out (as
    ``randomness.seed=0``)."""
    runner_arguments = inspect.signature(Runner.__init__).parameters
    for key in options:
        node, parts = cfg.to_dict(), key.split(".")
        if parts[0] not in node and parts[0] in runner_arguments:
            continue
        for depth, part in enumerate(parts[:-1]):
            if isinstance(node, (list, tuple)) and part.isdigit():
                node = node[int(part)]
                continue
            if not isinstance(node, dict) or part not in node:
                known = list(node.keys()) if isinstance(node, dict) else []
                close = difflib.get_close_matches(part, known, n=1)
                hint = f' (did you mean {close[0]!r}?)' if close else ''
                raise InputError(
                    f'unknown config key {".".join(parts[:depth + 1])!r} in '
                    f'--cfg-options {key}{hint}')
            node = node[part]
