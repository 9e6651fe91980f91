"""The tools' error contract: what a tool prints and exits with when it
meets input it cannot use, or stops a run."""
import sys
from typing import Callable

from mmca.datasets import BrokenDataError
from mmca.engine import (CheckpointSaveError, NonFiniteLossError,
                         TrainingStopped)
from mmca.preflight import restore_work_dirs
from mmca.utils import BrokenCheckpointError, InputError, UnsafeCheckpointError

#: The exit status of a tool given bad input, as argparse exits on a bad
#: command line.
BAD_INPUT_STATUS = 2


#: The exit status of a training run that started and was stopped for a
#: reason the user can fix (a full disk, a non-finite loss); its last good
#: checkpoint is kept for ``--resume``.
RUN_STOPPED_STATUS = 3


#: The exit status of a training run stopped by a signal after saving where
#: it was (sysexits.h's EX_TEMPFAIL: run it again, with ``--resume``).
RUN_SUSPENDED_STATUS = 75

#: The exit status of a tool interrupted by Ctrl-C outside training, as a
#: shell reports a process that SIGINT ended.
INTERRUPTED_STATUS = 130


def run_tool(main: Callable[[], None]) -> None:
    """Run a tool's ``main``; report bad input or a stopped run as one line.

    :class:`InputError`, a checkpoint the safe loader refuses or cannot
    read, and a broken data file a dataloader meets
    (:class:`~mmca.datasets.BrokenDataError`) are the user's to fix:
    ``error: <message>`` on stderr, without a traceback, and exit status 2.
    A refused run (all but the broken data file, met once the run goes and
    so keeping what it wrote) leaves its work dir as it found it
    (:func:`mmca.preflight.restore_work_dirs`).
    A checkpoint that cannot be saved and a non-finite loss stop a run:
    reported alike, with exit status 3. A training run stopped by a signal
    (:class:`~mmca.engine.TrainingStopped`) says where it saved on one
    ``stopped:`` line and exits with status 75; Ctrl-C elsewhere is one
    line and status 130. Any other exception is a bug and keeps its
    traceback.
    """
    try:
        main()
    except (InputError, UnsafeCheckpointError, BrokenCheckpointError,
            BrokenDataError) as err:
        if not isinstance(err, BrokenDataError):
            restore_work_dirs()
        print(f'error: {err}', file=sys.stderr)
        sys.exit(BAD_INPUT_STATUS)
    except (CheckpointSaveError, NonFiniteLossError) as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(RUN_STOPPED_STATUS)
    except TrainingStopped as err:
        print(f'stopped: {err}', file=sys.stderr)
        sys.exit(RUN_SUSPENDED_STATUS)
    except KeyboardInterrupt:
        print('stopped: interrupted (SIGINT); nothing more was written',
              file=sys.stderr)
        sys.exit(INTERRUPTED_STATUS)
