"""Loading a config the way the mmca tools do."""
import os.path as osp
import warnings
from typing import Dict, Optional

from mmengine.config import Config

from mmca.preflight import check_cfg_options
from mmca.utils import InputError


def load_config(path: str, cfg_options: Optional[Dict] = None) -> Config:
    """Read ``path``, apply ``--cfg-options`` and check their keys."""
    if not osp.isfile(path):
        raise InputError(f'config file {path} does not exist')
    with warnings.catch_warnings():
        # mmengine 0.10.7 resolves mmdet::/mmseg::/mmpretrain:: base configs
        # through pkg_resources, which warns of its own deprecation each time
        warnings.filterwarnings('ignore',
                                message='pkg_resources is deprecated')
        cfg = Config.fromfile(path)
    if cfg_options:
        check_cfg_options(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    return cfg


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<config name>``, as mmdet and mmseg choose it."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])
