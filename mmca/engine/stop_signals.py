"""Signals that ask a training run to stop: it saves where it is and exits.

Slurm, Kubernetes and spot instances send SIGTERM (or a signal chosen with
``sbatch --signal``, such as SIGUSR1) and wait a grace period before they
kill; Ctrl-C sends SIGINT. While :func:`stop_on_signals` is active, the
first of these only records that a stop was asked for: the training hook
(:class:`~mmca.engine.StopSignalHook`) sees it after the current
iteration, saves a checkpoint there and ends the run. A second signal
while that happens is reported and otherwise ignored, so it cannot cut the
save short (the save is atomic anyway).

Dataloader workers forked while this is active inherit the handler and
ignore the signal too: the main process shuts them down as it exits,
instead of each dying with a ``KeyboardInterrupt`` traceback of its own.
"""
import os
import signal
import sys
from contextlib import contextmanager
from typing import Iterator, Optional

import torch
from mmengine.dist import all_reduce

#: The signals that stop a run with a checkpoint.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)

_received: Optional[int] = None
_owner_pid: Optional[int] = None


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Record the first of :data:`STOP_SIGNALS` instead of dying of it."""
    global _received, _owner_pid
    _received, _owner_pid = None, os.getpid()
    previous = {number: signal.signal(number, _record)
                for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _received, _owner_pid = None, None


def _record(number: int, frame) -> None:
    global _received
    if os.getpid() != _owner_pid:
        return      # a dataloader worker: the main process decides
    name = signal.Signals(number).name
    if _received is None:
        _received = number
        print(f'{name} received: saving a checkpoint after this iteration, '
              'then stopping', file=sys.stderr, flush=True)
    else:
        print(f'{name} received again: already stopping (SIGKILL stops at '
              'once, losing the iterations since the last checkpoint)',
              file=sys.stderr, flush=True)


def stop_requested() -> Optional[str]:
    """The name of the signal that asked this process to stop, or None."""
    return None if _received is None else signal.Signals(_received).name


def stop_agreed() -> bool:
    """Whether any process of the run was asked to stop.

    A collective call in a distributed run (one all-reduce of a flag), so
    every rank stops at the same iteration.
    """
    flag = torch.tensor(float(_received is not None))
    all_reduce(flag, op='max')
    return bool(flag.item())
