"""Loading a config the way the mmca tools do."""
import os.path as osp
import warnings
from typing import Dict, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from .errors import InputError
from .preflight import check_cfg_options


def load_config(path: str, cfg_options: Optional[Dict] = None) -> Config:
    """Read ``path``, apply ``--cfg-options`` and check their keys."""
    if not osp.isfile(path):
        raise InputError(f'config file {path} does not exist')
    with warnings.catch_warnings():
        # mmengine 0.10.7 resolves mmdet::/mmseg::/mmpretrain:: base configs
        # through pkg_resources, which warns of its own deprecation each time
        warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
        cfg = Config.fromfile(path)
    if cfg_options:
        check_cfg_options(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    return cfg


def config_input_size(cfg: Config) -> Tuple[int, int]:
    """The (H, W) the config's test pipeline feeds the model.

    That is the last fixed size it sets: a ``CenterCrop`` (classification)
    or a ``Resize`` to a (W, H) scale (detection, segmentation).
    """
    size = None
    for step in cfg.get('test_pipeline', []):
        if step.get('type') == 'CenterCrop':
            crop = step['crop_size']
            w, h = (crop, crop) if isinstance(crop, int) else crop
            size = (h, w)
        elif step.get('type') == 'Resize' and isinstance(
                step.get('scale'), (tuple, list)):
            w, h = step['scale']
            size = (h, w)
    if size is None:
        raise InputError('the config has no fixed-size Resize or CenterCrop '
                         'in test_pipeline; pass --shape')
    return size


def build_inference_model(cfg: Config) -> torch.nn.Module:
    """The config's model in its scope, in eval mode, without loading
    pretrained weights (for analysis, benchmarks and export)."""
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    model = dict(cfg.model)
    # mmpretrain configs keep it beside the model; the Runner merges it so
    if cfg.get('data_preprocessor') is not None:
        model.setdefault('data_preprocessor', cfg.data_preprocessor)
    return MODELS.build(model).eval()


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<config name>``, as mmdet and mmseg choose it."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])
