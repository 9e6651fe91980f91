"""``--cfg-options``: keys that the config has, values of the kind it
holds there."""
import difflib
import inspect
import math
from typing import Any, Dict, Optional

from mmengine.config import Config
from mmengine.runner import Runner

from mmca.utils import InputError

#: Keys whose values have a least value, by their last part: counts of
#: samples, workers and steps, and a learning rate. A value below fails deep
#: in the run (a dataloader, a loop) or trains on nonsense.
LEAST_VALUES = {
    'batch_size': 1, 'num_workers': 0, 'max_epochs': 1, 'max_iters': 1,
    'val_interval': 1, 'lr': 0,
}

#: Keys that count (by their last part): a whole number there, never 2.5.
#: Other integers of a config may take a fraction (``eta_min=0`` is a
#: learning rate, ``loss_weight=1`` a factor).
COUNTS = {'batch_size', 'num_workers', 'max_epochs', 'max_iters',
          'val_interval', 'val_begin', 'interval', 'max_keep_ckpts',
          'num_classes', 'seed'}


def check_cfg_options(cfg: Config, options: Dict) -> None:
    """Check every ``--cfg-options`` key extends a path the config has, or
    sets an argument of mmengine's ``Runner`` the config leaves out (as
    ``randomness.seed=0``); and that its value is of the kind the config
    holds there (True or False, a number, a whole number for the
    :data:`COUNTS`) and within the range of :data:`LEAST_VALUES`. ``None``
    is taken anywhere (it switches a setting off)."""
    runner_arguments = inspect.signature(Runner.__init__).parameters
    for key, value in options.items():
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
        original = node.get(parts[-1]) if isinstance(node, dict) else None
        problem = _wrong_kind(parts[-1], value, original) or \
            _out_of_range(parts[-1], value)
        if problem:
            raise InputError(f'--cfg-options {key}={_shown(value)}: '
                             f'{problem}')


def _wrong_kind(name: str, value: Any, original: Any) -> Optional[str]:
    """What is wrong with ``value`` in place of the config's ``original``,
    if that is True or False, or a number."""
    if value is None:
        return None
    if isinstance(original, bool):
        if not isinstance(value, bool):
            return f"True or False is expected there, as the config's " \
                f'{original}'
    elif isinstance(original, int) and name in COUNTS:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"a whole number is expected there, as the config's " \
                f'{original}'
    elif isinstance(original, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"a number is expected there, as the config's {original}"
    return None


def _out_of_range(name: str, value: Any) -> Optional[str]:
    least = LEAST_VALUES.get(name)
    if least is None or isinstance(value, bool) or \
            not isinstance(value, (int, float)) or math.isnan(value):
        return None
    if value < least:
        bound = 'positive' if least == 1 else 'at least 0'
        return f'{name} must be {bound}'
    return None


def _shown(value: Any) -> str:
    """``value`` as it was typed on the command line (as near as can be)."""
    return value if isinstance(value, str) else repr(value)
