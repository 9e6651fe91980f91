"""Checkpoints that are written whole or not at all.

mmengine 0.10.7 writes ``epoch_N.pth`` / ``iter_N.pth`` with a plain
``open(path, 'wb')`` and ``last_checkpoint`` with ``open(path, 'w')``, and
deletes the oldest kept checkpoint *before* writing the new one. A kill or a
full disk in the middle leaves a truncated checkpoint, an empty
``last_checkpoint``, or one naming a file already deleted; and because a
best-checkpoint update re-saves ``epoch_N.pth`` over itself, even a
checkpoint that was whole can be cut short. :class:`AtomicCheckpointHook`
writes both through a temporary file that is renamed over the target
(:mod:`mmca.utils.atomic_file`) and deletes outdated checkpoints only once
the new one and ``last_checkpoint`` are in place.

mmengine also serialises each checkpoint whole into memory
(``io.BytesIO``) before writing it: a transient copy of the checkpoint at
every save, which grows by reallocation. The hook's saves stream
``torch.save`` into the temporary file instead, so a save needs no memory
beyond the model's: at a large model's save, that copy can be what runs a
machine out of memory.
"""
import errno
import gc
import os
import os.path as osp
import shutil
from contextlib import contextmanager
from typing import Iterator, List, Optional, Union

import mmengine.runner.runner as mmengine_runner
import torch
from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS
from mmengine.runner.checkpoint import \
    save_checkpoint as mmengine_save_checkpoint
from mmengine.utils import mkdir_or_exist

from mmca.utils import atomic_write, atomic_write_with

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


register_backend(ATOMIC_BACKEND, AtomicLocalBackend)


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
def _streamed_saves() -> Iterator[None]:
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


class CheckpointSaveError(RuntimeError):
    """A checkpoint could not be written (a full disk, a quota, a limit).

    The ``OSError`` that stopped the write is its ``__cause__``.
    """


_REASONS = {
    errno.ENOSPC: 'the disk is full',
    errno.EDQUOT: 'the disk quota is exceeded',
    errno.EFBIG: ('the file is larger than allowed (ulimit -f, or the file '
                  "system's limit)"),
    errno.EROFS: 'the file system is read-only',
    errno.EACCES: 'permission is denied',
}


def recorded_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``<work_dir>/last_checkpoint`` names, if any."""
    try:
        with open(osp.join(work_dir, 'last_checkpoint')) as file:
            return file.read().strip() or None
    except OSError:
        return None


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` that never leaves a partial checkpoint.

    Takes the arguments of ``CheckpointHook``. Without ``backend_args`` (a
    local work dir), checkpoints and ``last_checkpoint`` are written to a
    temporary file, fsynced and renamed over the target; outdated
    checkpoints (``max_keep_ckpts``) are deleted after that. A write that
    fails stops training with :class:`CheckpointSaveError`, naming the file
    and the cause; the previous checkpoint and ``last_checkpoint`` are kept.
    ``tools/train.py`` uses it in place of ``CheckpointHook``
    (:func:`mmca.apis.build_runner`).
    """

    def __init__(self, *args, **kwargs) -> None:
        if kwargs.get('backend_args') is None and \
                kwargs.get('file_client_args') is None:
            kwargs['backend_args'] = dict(backend=ATOMIC_BACKEND)
        super().__init__(*args, **kwargs)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        outdated = self._keep(runner, step)
        filename = self.filename_tmpl.format(step)
        path = self.file_backend.join_path(self.out_dir, filename)
        previous = recorded_checkpoint(runner.work_dir)
        # the checkpoint's message hub names itself, as mmengine's does
        runner.message_hub.update_info('last_ckpt', path)
        with self._reported(path, previous), _streamed_saves():
            runner.save_checkpoint(
                self.out_dir, filename, self.file_client_args,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler, meta=meta,
                by_epoch=self.by_epoch, backend_args=self.backend_args,
                **self.args)
        self.last_ckpt = path
        # Runner.save_checkpoint formats the config into the checkpoint with
        # yapf, whose parse trees are reference cycles that only a full
        # collection frees; without one here RSS grows between Python's own
        # rare full collections (docs/reliability.md measures both).
        gc.collect()
        if not is_main_process():
            return
        record = osp.join(runner.work_dir, 'last_checkpoint')
        with self._reported(record, previous):
            atomic_write(record, path.encode())
        for old in outdated:
            if self.file_backend.isfile(old):
                self.file_backend.remove(old)
            elif self.file_backend.isdir(old):   # deepspeed saves directories
                self.file_backend.rmtree(old)

    def _keep(self, runner, step: int) -> List[str]:
        """Record ``step`` among the kept checkpoints; the paths it outdates.

        ``keep_ckpt_ids`` is updated before the save so that the checkpoint
        carries it, as in mmengine; the files go only after the save.
        """
        if self.max_keep_ckpts <= 0 or (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
            return []
        outdated = []
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            outdated.append(self.file_backend.join_path(
                self.out_dir,
                self.filename_tmpl.format(self.keep_ckpt_ids.popleft())))
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
        return outdated if is_main_process() else []

    def _save_best_checkpoint(self, runner, metrics) -> None:
        with self._reported(f'the best checkpoint in {self.out_dir}',
                            recorded_checkpoint(runner.work_dir)), \
                _streamed_saves():
            super()._save_best_checkpoint(runner, metrics)

    @contextmanager
    def _reported(self, target: str, kept: Optional[str]) -> Iterator[None]:
        """A failed write of ``target`` as :class:`CheckpointSaveError`."""
        try:
            yield
        except CheckpointSaveError:
            raise
        except OSError as err:
            raise CheckpointSaveError(
                _save_failure(target, err, self.out_dir, kept)) from err


def _save_failure(target: str, err: OSError, out_dir: str,
                  kept: Optional[str]) -> str:
    reason = _REASONS.get(err.errno, err.strerror or str(err))
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        try:
            free = shutil.disk_usage(out_dir).free
            reason += f' ({free / 2**20:.0f} MiB free in {out_dir})'
        except OSError:
            pass
    kept_part = (f'{kept} and last_checkpoint are kept as they were'
                 if kept else 'no earlier checkpoint of this run exists')
    return (f'could not save {target}: {reason}. Training stopped; '
            f'{kept_part}. Make room and continue with tools/train.py '
            '--resume.')
