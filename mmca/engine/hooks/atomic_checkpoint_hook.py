"""Checkpoints that are written whole or not at all.

mmengine 0.10.7 writes ``epoch_N.pth`` / ``iter_N.pth`` with a plain
``open(path, 'wb')`` and ``last_checkpoint`` with ``open(path, 'w')``, and
deletes the oldest kept checkpoint *before* writing the new one. A kill or a
full disk in the middle leaves a truncated checkpoint, an empty
``last_checkpoint``, or one naming a file already deleted; and because a
best-checkpoint update re-saves ``epoch_N.pth`` over itself, even a
checkpoint that was whole can be cut short. :class:`AtomicCheckpointHook`
writes both through a temporary file that is renamed over the target
(:mod:`mmca.utils.atomic_file`, through the file backend of
:mod:`mmca.engine.mmengine_patches`) and deletes outdated checkpoints only
once the new one and ``last_checkpoint`` are in place.

mmengine also serialises each checkpoint whole into memory
(``io.BytesIO``) before writing it: a transient copy of the checkpoint at
every save, which grows by reallocation. The hook's saves stream
``torch.save`` into the temporary file instead, so a save needs no memory
beyond the model's: at a large model's save, that copy can be what runs a
machine out of memory.
"""
import errno
import gc
import os.path as osp
import re
import shutil
from contextlib import contextmanager
from typing import Iterator, List, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

from ..last_checkpoint import (last_checkpoint_record, read_last_checkpoint,
                               write_last_checkpoint)
from ..mmengine_patches import ATOMIC_BACKEND, streamed_saves

#: The name :meth:`AtomicCheckpointHook.save_now` gives a checkpoint.
_STOP_CHECKPOINT = re.compile(r'^iter_\d+\.pth$')


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
    (:func:`mmca.engine.build_runner`).
    """

    def __init__(self, *args, **kwargs) -> None:
        if kwargs.get('backend_args') is None and \
                kwargs.get('file_client_args') is None:
            kwargs['backend_args'] = dict(backend=ATOMIC_BACKEND)
        super().__init__(*args, **kwargs)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        self._save(runner, self.filename_tmpl.format(step), self.by_epoch,
                   self._keep(runner, step), meta)

    def save_now(self, runner) -> str:
        """Save the iterations done so far; the checkpoint's path.

        Called at the end of a training iteration (after its other hooks),
        wherever the hook's interval stands. The checkpoint is
        ``iter_N.pth`` for N iterations done, named in ``last_checkpoint``
        as every save is. A hook that saves by epoch does not keep it among
        its ``max_keep_ckpts``: its next regular save outdates it.
        """
        step = runner.iter + 1
        meta = dict(epoch=runner.epoch, iter=step)
        if not self.by_epoch:
            self._save_checkpoint_with_step(runner, step, meta)
        else:
            self._save(runner, f'iter_{step}.pth', False, [], meta)
        return self.last_ckpt

    def _save(self, runner, filename: str, by_epoch: bool,
              outdated: List[str], meta: dict) -> None:
        path = self.file_backend.join_path(self.out_dir, filename)
        previous = read_last_checkpoint(runner.work_dir)
        # the checkpoint's message hub names itself, as mmengine's does
        runner.message_hub.update_info('last_ckpt', path)
        with self._reported(path, previous), streamed_saves():
            runner.save_checkpoint(
                self.out_dir, filename, self.file_client_args,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler, meta=meta,
                by_epoch=by_epoch, backend_args=self.backend_args,
                **self.args)
        self.last_ckpt = path
        # Runner.save_checkpoint formats the config into the checkpoint with
        # yapf, whose parse trees are reference cycles that only a full
        # collection frees; without one here RSS grows between Python's own
        # rare full collections (docs/reliability.md measures both).
        gc.collect()
        if not is_main_process():
            return
        with self._reported(last_checkpoint_record(runner.work_dir),
                            previous):
            write_last_checkpoint(runner.work_dir, path)
        if self.by_epoch and previous and previous != path and \
                _STOP_CHECKPOINT.match(osp.basename(previous)):
            outdated.append(previous)   # a stop's save, now superseded
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
                            read_last_checkpoint(runner.work_dir)), \
                streamed_saves():
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
