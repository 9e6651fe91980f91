"""Loading a config the way the mmca tools do."""
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from .checks import ConfigError, check_cfg_options
from .cpu_distributed import setup_cpu_distributed


def load_config(path: str, cfg_options: Optional[Dict] = None) -> Config:
    """Read ``path``, apply ``--cfg-options`` and check their keys."""
    if not osp.isfile(path):
        raise ConfigError(f'config file {path} does not exist')
    cfg = Config.fromfile(path)
    if cfg_options:
        check_cfg_options(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    return cfg


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<config name>``, as mmdet and mmseg choose it."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def build_runner(cfg: Config) -> Runner:
    """The runner of ``cfg`` (its ``launcher`` set), for train.py and test.py.

    Without GPUs a distributed launcher runs CPU processes over gloo (see
    :mod:`mmca.engine.cpu_distributed`). A config the registries cannot
    build (an unknown type or constructor key) is a :class:`ConfigError`.
    """
    if cfg.launcher != 'none' and not torch.cuda.is_available():
        setup_cpu_distributed(cfg)
    try:
        return Runner.from_cfg(cfg)
    except (TypeError, KeyError) as err:
        raise ConfigError(f'cannot build {cfg.filename}: {err}. Check the '
                          'config keys and --cfg-options.') from None
