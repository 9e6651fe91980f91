"""``--cfg-options`` keys that the config has."""
import difflib
import inspect
from typing import Dict

from mmengine.config import Config
from mmengine.runner import Runner

from mmca.utils import InputError


def check_cfg_options(cfg: Config, options: Dict) -> None:
    """Check every ``--cfg-options`` key extends a path the config has, or
    sets an argument of mmengine's ``Runner`` the config leaves out (as
    ``randomness.seed=0``)."""
    runner_arguments = inspect.signature(Runner.__init__).parameters
    for key in options:
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
