"""Every change mmca makes to mmengine's own behaviour, in one place.

Importing :mod:`mmca` (through :mod:`mmca.engine`) applies them once:

- **A file backend.** ``mmca_atomic_local`` (:class:`AtomicLocalBackend`)
  joins mmengine's file backends: local ``put`` and ``put_text`` written
  whole or not at all. :class:`~mmca.engine.AtomicCheckpointHook` writes
  through it.
- **Safe loading of local checkpoints.** mmengine's ``CheckpointLoader``
  loads local paths (its empty scheme) through
  :func:`mmca.utils.load_checkpoint_safely`, for ``tools/test.py``,
  ``--resume``, ``load_from`` and ``Pretrained`` init alike: under torch >=
  2.6 mmengine cannot load its own checkpoints otherwise.
- **The ``last_checkpoint`` record read relative to the work dir.**
  ``Runner.load_or_resume`` (``resume=True`` without ``load_from``) reads
  the record through :func:`find_latest_checkpoint`, which resolves a
  relative record (:mod:`mmca.engine.last_checkpoint` writes one) against
  the work dir; mmengine's own would resolve it against the current
  directory.

One more applies only while a checkpoint is saved (:func:`streamed_saves`):
``Runner.save_checkpoint`` hands its checkpoint to
:func:`save_checkpoint_streamed` instead of mmengine's ``save_checkpoint``.

:class:`~mmca.engine.AtomicCheckpointHook` also overrides
``CheckpointHook._save_checkpoint_with_step``, a private method. All of
these were written against mmengine :data:`WRITTEN_AGAINST`; another
version gets one warning at import.
"""
import os
import os.path as osp
import warnings
from contextlib import contextmanager
from typing import Iterator, Optional, Union

import mmengine
import mmengine.runner.runner as mmengine_runner
import torch
from mmengine.fileio import LocalBackend, register_backend
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.runner.checkpoint import \
    save_checkpoint as mmengine_save_checkpoint
from mmengine.utils import mkdir_or_exist

from mmca.utils import atomic_write, atomic_write_with, load_checkpoint_safely
from .last_checkpoint import last_checkpoint_record, read_last_checkpoint

#: The mmengine version whose internals these patches were written against.
WRITTEN_AGAINST = '0.10.7'

#: The name that selects :class:`AtomicLocalBackend` in ``backend_args``.
ATOMIC_BACKEND = 'mmca_atomic_local'


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend, with ``put`` and ``put_text`` atomic."""

    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        mkdir_or_exist(osp.dirname(str(filepath)))
        atomic_write(str(filepath), obj)

    def put_text(self, obj: str, filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


def save_checkpoint_streamed(checkpoint: dict, filename: str,
                             file_client_args: Optional[dict] = None,
                             backend_args: Optional[dict] = None) -> None:
    """mmengine's ``save_checkpoint``; to :class:`AtomicLocalBackend`,
    ``torch.save`` streams into the temporary file (no copy in memory)."""
    if file_client_args is not None or \
            (backend_args or {}).get('backend') != ATOMIC_BACKEND:
        mmengine_save_checkpoint(checkpoint, filename, file_client_args,
                                 backend_args)
        return
    mkdir_or_exist(osp.dirname(filename))
    atomic_write_with(filename, lambda file: _torch_save(checkpoint, file))


def _torch_save(obj: object, file) -> None:
    """``torch.save``, raising the ``OSError`` of a failed write itself."""
    try:
        torch.save(obj, file)
    except RuntimeError as err:
        # torch reports a write that failed (ENOSPC, EFBIG) as a
        # RuntimeError ('unexpected pos'), the OSError as its context
        if isinstance(err.__context__, OSError):
            raise err.__context__ from None
        raise


@contextmanager
def streamed_saves() -> Iterator[None]:
    """``Runner.save_checkpoint`` writes through
    :func:`save_checkpoint_streamed` while this context lasts."""
    # Runner.save_checkpoint builds the checkpoint (meta, message hub,
    # optimizer, schedulers) and hands it to the save_checkpoint its module
    # imported; swapping that name keeps all of mmengine's building.
    original = mmengine_runner.save_checkpoint
    mmengine_runner.save_checkpoint = save_checkpoint_streamed
    try:
        yield
    finally:
        mmengine_runner.save_checkpoint = original


def find_latest_checkpoint(path: str) -> Optional[str]:
    """mmengine's ``find_latest_checkpoint``: the checkpoint the work dir
    ``path``'s ``last_checkpoint`` names, a relative record resolved against
    ``path``."""
    if not osp.exists(last_checkpoint_record(path)):
        print_log('Did not find last_checkpoint to be resumed.')
        return None
    return read_last_checkpoint(path)


def _warn_on_other_mmengine() -> None:
    if mmengine.__version__ != WRITTEN_AGAINST:
        warnings.warn(
            f'mmca patches mmengine {WRITTEN_AGAINST} (atomic, streamed '
            'checkpoint saves; safe checkpoint loading; the last_checkpoint '
            'record; see '
            f'mmca/engine/mmengine_patches.py), but mmengine '
            f'{mmengine.__version__} is installed; install mmengine=='
            f'{WRITTEN_AGAINST} if saving or loading checkpoints fails.',
            stacklevel=2)


_warn_on_other_mmengine()
register_backend(ATOMIC_BACKEND, AtomicLocalBackend)
# Local paths have the empty prefix in mmengine's CheckpointLoader; force
# replaces its torch.load call.
CheckpointLoader.register_scheme(
    prefixes='', loader=load_checkpoint_safely, force=True)
# Runner.load_or_resume calls the name its module imported
mmengine_runner.find_latest_checkpoint = find_latest_checkpoint
