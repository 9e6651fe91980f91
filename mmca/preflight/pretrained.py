"""The checkpoints a config's ``Pretrained`` inits load: present, and
fitting their modules."""
import os.path as osp
from typing import Any, Dict, Iterator, Tuple

from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from mmca.utils import (InputError, compare_state_dicts, config_built,
                        load_weights, select_prefix)


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
    with config_built(cfg.filename):
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
