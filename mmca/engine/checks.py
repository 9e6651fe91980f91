"""Checks that turn a user's mistake into one clear message at start-up.

Every check raises :class:`ConfigError`; the tools print its message alone,
without a traceback, and exit with status 2.
"""
import difflib
import os.path as osp
from typing import Any, Dict, Iterator, List, Sequence

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmca.utils import load_checkpoint_safely

#: Where each dataset is expected, and the README section that tells how
#: to get it.
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
    'PascalVOCDataset': (
        'Pascal VOC 2012 segmentation (with SBD)', 'data/VOCdevkit/VOC2012/'
        '{JPEGImages,SegmentationClass,SegmentationClassAug,'
        'ImageSets/Segmentation} (SegmentationClassAug made by '
        'tools/dataset_converters/voc_aug.py)', 'Pascal VOC'),
}


class ConfigError(Exception):
    """A config, dataset or checkpoint the tools cannot work with."""


def check_task(cfg: Config, tool: str,
               scopes: Sequence[str] = ('mmdet', 'mmseg')) -> str:
    """Check ``cfg`` is a config of a task ``tool`` runs; return its scope."""
    scope = cfg.get('default_scope')
    if scope not in scopes:
        raise ConfigError(
            f'{tool} runs {" and ".join(scopes)} configs, but '
            f'{cfg.filename} has default_scope={scope!r}. Detection configs '
            "set default_scope='mmdet', segmentation configs "
            "default_scope='mmseg' (both do when they inherit mmdet or mmseg "
            'base configs).')
    model_type = cfg.get('model', {}).get('type')
    if model_type is None:
        raise ConfigError(f'{cfg.filename} defines no model with a type')
    init_default_scope(scope)
    if _scope_models(scope).get(model_type) is None:
        owner = [s for s in ('mmdet', 'mmseg')
                 if s != scope and _scope_models(s).get(model_type)]
        hint = (f" It is an {owner[0]} model: use an {owner[0]} config "
                f"(default_scope='{owner[0]}')." if owner else '')
        raise ConfigError(f'{cfg.filename}: model type {model_type!r} is not '
                          f'known in the {scope} scope.{hint}')
    return scope


def _scope_models(scope: str):
    if scope == 'mmdet':
        from mmdet.registry import MODELS
    else:
        from mmseg.registry import MODELS
    MODELS.import_from_location()
    return MODELS


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
    paths += [osp.join(root, p) for p in prefix.values() if p]
    return paths


def check_datasets(cfg: Config, splits: Sequence[str]) -> None:
    """Check the files the ``splits`` dataloaders read exist, up front."""
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        for dataset in iter_datasets(loader['dataset']):
            missing = [p for p in _dataset_paths(dataset) if not osp.exists(p)]
            if missing:
                raise ConfigError(_missing_data_message(dataset, split,
                                                        missing[0], cfg))


def _missing_data_message(dataset: Dict, split: str, path: str,
                          cfg: Config) -> str:
    name, layout, section = DATASET_LAYOUTS.get(
        dataset.get('type'), (dataset.get('type'), 'see its config', 'Datasets'))
    return (f'The {name} {split} data of {cfg.filename} is missing: {path} '
            f'does not exist.\nExpected layout: {layout}.\nREADME.md, section '
            f'"Datasets" ({section}), says how to get it; to try the '
            'pipeline without it, run `python tools/make_demo_data.py` and a '
            'config of configs/demo/, or set data_root with --cfg-options.')


def check_pretrained(cfg: Config) -> None:
    """Check the local checkpoints ``Pretrained`` inits will load exist."""
    for init_cfg in _pretrained_inits(cfg.get('model', {})):
        checkpoint = init_cfg.get('checkpoint', '')
        if '://' not in checkpoint and not osp.isfile(checkpoint):
            raise ConfigError(
                f'{cfg.filename} initialises from {checkpoint}, which does '
                'not exist. For MobileNetV2 + CA convert the released '
                'weights (README.md, "Pretrained weights from the release"); '
                'for other backbones train them on ImageNet, or train from '
                'scratch with --cfg-options model.backbone.init_cfg=None.')


def _pretrained_inits(node: Any) -> Iterator[Dict]:
    if isinstance(node, dict):
        if node.get('type') == 'Pretrained':
            yield node
        for value in node.values():
            yield from _pretrained_inits(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _pretrained_inits(item)


def check_checkpoint_matches(model: torch.nn.Module, path: str) -> None:
    """Check a checkpoint holds exactly the weights of ``model``."""
    checkpoint = load_checkpoint_safely(path, map_location='cpu')
    weights = checkpoint.get('state_dict', checkpoint)
    weights = {k[7:] if k.startswith('module.') else k: v
               for k, v in weights.items()}
    expected = model.state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    wrong_shape = sorted(k for k in set(expected) & set(weights)
                         if expected[k].shape != weights[k].shape)
    if missing or unexpected or wrong_shape:
        raise ConfigError(
            f'checkpoint {path} does not match the model of the config: '
            f'{len(missing)} missing keys (e.g. {missing[:3]}), '
            f'{len(unexpected)} unexpected keys (e.g. {unexpected[:3]}), '
            f'{len(wrong_shape)} of other shapes (e.g. {wrong_shape[:3]}). '
            'Was it trained with another config?')


def check_cfg_options(cfg: Config, options: Dict) -> None:
    """Check every ``--cfg-options`` key extends a path the config has."""
    for key in options:
        node, parts = cfg.to_dict(), key.split(".")
        for depth, part in enumerate(parts[:-1]):
            if isinstance(node, (list, tuple)) and part.isdigit():
                node = node[int(part)]
                continue
            if not isinstance(node, dict) or part not in node:
                known = list(node.keys()) if isinstance(node, dict) else []
                close = difflib.get_close_matches(part, known, n=1)
                hint = f' (did you mean {close[0]!r}?)' if close else ''
                raise ConfigError(
                    f'unknown config key {".".join(parts[:depth + 1])!r} in '
                    f'--cfg-options {key}{hint}')
            node = node[part]
