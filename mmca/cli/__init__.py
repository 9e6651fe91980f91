"""What the command-line tools share: loading a config as they do, and one
error contract (one ``error:`` line and a status for input a user can fix
or a run that stopped; one ``stopped:`` line for a run a signal stopped).
Tools import from here, :mod:`mmca.preflight` and the library; the library
never imports from here."""
from .config import default_work_dir, load_config
from .errors import (BAD_INPUT_STATUS, INTERRUPTED_STATUS, RUN_STOPPED_STATUS,
                     RUN_SUSPENDED_STATUS, run_tool)

__all__ = [
    'BAD_INPUT_STATUS', 'INTERRUPTED_STATUS', 'RUN_STOPPED_STATUS',
    'RUN_SUSPENDED_STATUS', 'default_work_dir', 'load_config', 'run_tool'
]
