"""``<work_dir>/last_checkpoint``: the file that names a run's newest
checkpoint, which mmengine's ``--resume`` reads.

One reader and one writer, for the hooks that keep it, ``--resume``'s choice
of a checkpoint and the kill-and-resume harness that checks it.
"""
import os.path as osp
from typing import Optional

from mmca.utils import atomic_write

#: The record's name in a work dir, as mmengine's ``CheckpointHook`` and
#: ``Runner.resume`` spell it.
LAST_CHECKPOINT = 'last_checkpoint'


def last_checkpoint_record(work_dir: str) -> str:
    """The record's path in ``work_dir``."""
    return osp.join(work_dir, LAST_CHECKPOINT)


def read_last_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint the record names; None if there is no record, it
    cannot be read, or it is empty."""
    try:
        with open(last_checkpoint_record(work_dir)) as file:
            return file.read().strip() or None
    except OSError:
        return None


def write_last_checkpoint(work_dir: str, checkpoint: str) -> None:
    """Name ``checkpoint`` in the record, atomically (whole or not at all)."""
    atomic_write(last_checkpoint_record(work_dir), checkpoint.encode())
