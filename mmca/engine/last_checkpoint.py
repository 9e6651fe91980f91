"""``<work_dir>/last_checkpoint``: the file that names a run's newest
checkpoint, which mmengine's ``--resume`` reads.

One reader and one writer, for the hooks that keep it, ``--resume``'s choice
of a checkpoint, mmengine's own resume (through
:mod:`mmca.engine.mmengine_patches`) and the kill-and-resume harness that
checks it.

A checkpoint inside the work dir is recorded relative to it, so that a
work dir copied or moved elsewhere resumes from its own checkpoints rather
than from the original directory's (mmengine records the absolute path).
Records of absolute paths, as mmengine and earlier mmca wrote them, are
still read.
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
    """The checkpoint the record names, a relative record resolved against
    ``work_dir``; None if there is no record, it cannot be read, or it is
    empty."""
    try:
        with open(last_checkpoint_record(work_dir)) as file:
            named = file.read().strip()
    except OSError:
        return None
    return osp.join(work_dir, named) if named else None


def write_last_checkpoint(work_dir: str, checkpoint: str) -> None:
    """Name ``checkpoint`` in the record, atomically (whole or not at all):
    relative to ``work_dir`` if it lies inside it, else as given."""
    relative = osp.relpath(osp.abspath(checkpoint), osp.abspath(work_dir))
    if relative != osp.pardir and \
            not relative.startswith(osp.pardir + osp.sep):
        checkpoint = relative
    atomic_write(last_checkpoint_record(work_dir), checkpoint.encode())
