"""Which task a config is for, and whether a tool runs it."""
import importlib
from typing import Sequence

from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmca.utils import InputError

#: The scopes the tools run, and the task each is for.
TASK_SCOPES = {'mmpretrain': 'classification', 'mmdet': 'detection',
               'mmseg': 'segmentation'}


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
            f'{cfg.filename} has default_scope={scope!r}. Configs set '
            f'{known}; they do when they inherit that library\'s base '
            'configs.')
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
