"""The models of the metafiles by name, as mmpretrain's ``list_models`` and
``get_model`` give its own.

``model-index.yml`` imports one ``metafile.yml`` per model family; each
model there names its config relative to the index's folder: the clone's
root, or ``mmca/.mim/`` in an installed package. An installed package's
index comes first.
"""
import copy
import difflib
import fnmatch
import os.path as osp
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Tuple, Union

import torch
import yaml
from mmengine.config import Config

from mmca.utils import InputError
from mmca.utils.package_files import package_file
from .inference import load_inference_model


@dataclass(frozen=True)
class ModelEntry:
    """One model of a metafile, as :func:`get_model` uses it.

    Attributes:
        name (str): Its ``Name``, unique across the metafiles.
        config (str): Absolute path of its ``Config``.
        weights (str, optional): Its ``Weights`` as written (a path relative
            to the working directory, as the configs' ``init_cfg`` paths
            are), or None if it has none.
        how_to_get_weights (str, optional): The command that makes the
            weights (``Converted From: Command``), if the metafile gives one.
        tasks (tuple[str]): The ``Task`` of each of its ``Results``.
        metafile (str): The metafile it is read from.
    """
    name: str
    config: str
    weights: Optional[str]
    how_to_get_weights: Optional[str]
    tasks: Tuple[str, ...]
    metafile: str


def model_index_path(package: Optional[str] = None) -> str:
    """``.mim/model-index.yml`` in the folder of the ``mmca`` package (an
    installed package), else the ``model-index.yml`` beside that folder (a
    clone). ``package`` defaults to this package's folder."""
    return package_file('model-index.yml', package=package)


@lru_cache(maxsize=None)
def read_model_index(path: str) -> Dict[str, ModelEntry]:
    """The models of every metafile that the index at ``path`` imports, by
    name. A name given twice is an error of the metafiles."""
    root = osp.dirname(path)
    entries = {}
    for metafile in _read_yaml(path).get('Import', []):
        metafile = osp.join(root, metafile)
        for model in _read_yaml(metafile).get('Models') or []:
            name = model['Name']
            if name in entries:
                raise ValueError(f'model {name} is in both '
                                 f'{entries[name].metafile} and {metafile}')
            entries[name] = ModelEntry(
                name=name,
                config=osp.join(root, model['Config']),
                weights=model.get('Weights'),
                how_to_get_weights=(model.get('Converted From')
                                    or {}).get('Command'),
                tasks=tuple(result['Task']
                            for result in model.get('Results') or []),
                metafile=metafile)
    return entries


def _read_yaml(path: str) -> dict:
    with open(path, encoding='utf-8') as f:
        return yaml.safe_load(f) or {}


def model_entries() -> Dict[str, ModelEntry]:
    """The models of mmca's metafiles, by name."""
    return read_model_index(model_index_path())


def list_models(pattern: Optional[str] = None) -> List[str]:
    """The names of mmca's models, sorted.

    Args:
        pattern (str, optional): An ``fnmatch`` pattern the names start
            with, as mmpretrain's ``list_models`` takes it: ``'ssdlite*coco'``
            also gives ``ssdlite_mbv2_coco`` and ``ssdlite_mbv2-scratch_coco``
            (``*`` matches ``-`` and ``_``). None lists all.

    Example:
        >>> import mmca
        >>> mmca.list_models('mbv2*imagenet')
        ['mbv2_ca_imagenet', 'mbv2_cbam_imagenet', 'mbv2_imagenet',
         'mbv2_se_imagenet']
    """
    names = list(model_entries())
    if pattern is not None:
        names = fnmatch.filter(names, pattern + '*')
    return sorted(names)


def model_entry(name: str) -> ModelEntry:
    """The metafile entry named ``name``; an unknown name is an
    :class:`InputError` naming the closest names."""
    entries = model_entries()
    if name in entries:
        return entries[name]
    close = difflib.get_close_matches(name, list(entries), n=3, cutoff=0.5)
    hint = (f'did you mean {", ".join(close)}?' if close else
            'mmca.list_models() lists them all.')
    raise InputError(f'no mmca model is named {name!r}; {hint}')


def get_model(model: Union[str, Config],
              pretrained: Union[bool, str, None] = None,
              device: Union[str, torch.device, None] = None,
              **kwargs) -> torch.nn.Module:
    """A model of mmca's metafiles or of a config, in eval mode.

    Args:
        model (str | Config): A name of :func:`list_models`, a config file
            (``.py``) or a :class:`~mmengine.config.Config`.
        pretrained (bool | str, optional): None or False: no weights (the
            initialisation of the config, without its ``init_cfg``
            checkpoints). True: the metafile's ``Weights`` of a named model.
            A path: that checkpoint, which must hold exactly the model's
            weights. Defaults to None.
        device (str | torch.device, optional): Where the model goes. Defaults
            to the CPU.
        **kwargs: Keys of the config's ``model`` to override, e.g.
            ``backbone=dict(out_indices=(7, ))``.

    Returns:
        torch.nn.Module: The library's model (mmpretrain's
        ``ImageClassifier``, mmdet's ``SingleStageDetector``, mmseg's
        ``EncoderDecoder``, ...), with its config as ``model.cfg`` (as
        mmdet's ``init_detector`` and mmseg's ``init_model`` leave it) for
        :func:`mmca.apis.inference_model`.

    Example:
        >>> import mmca
        >>> model = mmca.get_model('ssdlite_mbv2_ca_coco')
        >>> model = mmca.get_model('mbv2_ca_imagenet', pretrained=True)
    """
    entry = None
    if isinstance(model, Config):
        cfg = copy.deepcopy(model)
    elif isinstance(model, str) and model.endswith('.py'):
        cfg = _read_config(model)
    elif isinstance(model, str):
        entry = model_entry(model)
        cfg = _read_config(entry.config)
    else:
        raise InputError('get_model takes a model name, a config file or a '
                         f'Config, not a {type(model).__name__}')
    checkpoint = _checkpoint(entry, cfg, pretrained)
    if kwargs:
        cfg.merge_from_dict(dict(model=kwargs))
    built = load_inference_model(cfg, checkpoint, device or 'cpu')
    built.cfg = cfg
    return built


def _checkpoint(entry: Optional[ModelEntry], cfg: Config,
                pretrained: Union[bool, str, None]) -> Optional[str]:
    """The checkpoint ``pretrained`` asks for."""
    if pretrained is None or pretrained is False:
        return None
    if pretrained is not True:
        return str(pretrained)
    if entry is None:
        raise InputError(f'pretrained=True needs a model name; for the '
                         f'config {cfg.filename}, pass pretrained=PATH')
    if entry.weights is None:
        raise InputError(f'{entry.name} has no weights in {entry.metafile}; '
                         'train it (tools/train.py) and pass '
                         'pretrained=PATH')
    if not osp.isfile(entry.weights):
        how = (f'make them with: {entry.how_to_get_weights}'
               if entry.how_to_get_weights else f'see {entry.metafile}')
        raise InputError(f'the weights of {entry.name}, {entry.weights}, do '
                         f'not exist here; {how}')
    return entry.weights


def _read_config(path: str) -> Config:
    if not osp.isfile(path):
        raise InputError(f'config file {path} does not exist')
    with warnings.catch_warnings():
        # mmengine 0.10.7 resolves mmdet::/mmseg::/mmpretrain:: base configs
        # through pkg_resources, which warns of its own deprecation each time
        warnings.filterwarnings('ignore',
                                message='pkg_resources is deprecated')
        return Config.fromfile(path)
