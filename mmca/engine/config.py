"""Loading a config the way the mmca tools do."""
import os.path as osp
from typing import Dict, Optional

from mmengine.config import Config

from .checks import ConfigError, check_cfg_options


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
