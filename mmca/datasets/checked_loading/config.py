"""Configs whose dataloaders name the broken data files they meet."""
import os.path as osp
from typing import Dict, List, Optional

from mmcv.transforms import LoadImageFromFile
from mmengine.config import Config

from mmca.utils import InputError
from ..dataset_classes import dataset_classes
from .transforms import BROKEN_IMAGE_ACTIONS

SPLITS = ('train', 'val', 'test')


def use_checked_loading(cfg: Config) -> None:
    """Make ``cfg``'s dataloaders name a broken image or label map.

    Every ``LoadImageFromFile`` of a dataset pipeline becomes
    :class:`~mmca.datasets.CheckedLoadImageFromFile` (same arguments) told
    the dataset's annotation file; in mmseg configs a
    :class:`~mmca.datasets.CheckSegLabels` follows each ``LoadAnnotations``.
    The config key ``broken_images`` (``'stop'``, the default, or
    ``'skip'``) says what training does with an image that does not load;
    validation and testing always stop, as a metric over fewer images than
    the annotations list is not the metric asked for, and only the training
    steps' messages tell of ``broken_images=skip``. A step the config
    already gives ``on_broken`` keeps it.
    """
    action = cfg.get('broken_images', 'stop')
    if action not in BROKEN_IMAGE_ACTIONS:
        raise InputError(f'broken_images={action!r}: it is one of '
                         f'{", ".join(map(repr, BROKEN_IMAGE_ACTIONS))}')
    segmentation = cfg.get('default_scope') == 'mmseg'
    ignore_index = _ignore_index(cfg)
    for split in SPLITS:
        loader = cfg.get(f'{split}_dataloader')
        if loader and loader.get('dataset'):
            _check_dataset(loader['dataset'],
                           action if split == 'train' else 'stop',
                           split == 'train', segmentation, ignore_index,
                           None, cfg.get('default_scope'))


def _check_dataset(dataset: Dict, on_broken: str, training: bool,
                   segmentation: bool, ignore_index: int,
                   ann_file: Optional[str], scope: Optional[str]) -> None:
    if dataset.get('ann_file'):
        ann_file = osp.join(dataset.get('data_root') or '',
                            dataset['ann_file'])
    if dataset.get('pipeline'):
        num_classes = _num_classes(dataset, scope) if segmentation else None
        dataset['pipeline'] = _checked_pipeline(
            dataset['pipeline'], on_broken, training, ann_file, num_classes,
            ignore_index)
    children = dataset.get('datasets') or []
    if dataset.get('dataset'):
        children = [dataset['dataset']]
    for child in children:
        _check_dataset(child, on_broken, training, segmentation, ignore_index,
                       ann_file, scope)


def _checked_pipeline(pipeline: List, on_broken: str, training: bool,
                      ann_file: Optional[str], num_classes: Optional[int],
                      ignore_index: int) -> List:
    checked = []
    for index, step in enumerate(pipeline):
        name = _type_name(step)
        if name in ('LoadImageFromFile', 'CheckedLoadImageFromFile'):
            step = dict(step, type='CheckedLoadImageFromFile')
            step.setdefault('on_broken', on_broken)
            step.setdefault('training', training)
            step.setdefault('ann_file', ann_file)
        checked.append(step)
        following = pipeline[index + 1] if index + 1 < len(pipeline) else {}
        if num_classes is not None and name == 'LoadAnnotations' and \
                _type_name(following) != 'CheckSegLabels':
            checked.append(dict(type='CheckSegLabels', num_classes=num_classes,
                                ignore_index=ignore_index))
    return checked


def _type_name(step) -> Optional[str]:
    kind = step.get('type') if isinstance(step, dict) else None
    if kind is LoadImageFromFile:
        return 'LoadImageFromFile'
    return kind.split('.')[-1] if isinstance(kind, str) else None


def _num_classes(dataset: Dict, scope: Optional[str]) -> Optional[int]:
    classes = dataset_classes(dataset, scope)
    return len(classes) if classes is not None else None


def _ignore_index(cfg: Config) -> int:
    head = (cfg.get('model') or {}).get('decode_head')
    if isinstance(head, dict):
        return head.get('ignore_index', 255)
    return 255
