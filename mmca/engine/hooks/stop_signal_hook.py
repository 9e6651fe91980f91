"""Save and stop when the run is asked to stop (SIGTERM, SIGINT, SIGUSR1)."""
from typing import Dict, Optional

from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.runner import EpochBasedTrainLoop

from ..last_checkpoint import read_last_checkpoint
from ..stop_signals import stop_agreed, stop_requested
from .atomic_checkpoint_hook import AtomicCheckpointHook


class TrainingStopped(Exception):
    """The run was asked to stop and has saved where it was."""


@HOOKS.register_module()
class StopSignalHook(Hook):
    """After each iteration, save and stop if a stop signal arrived.

    With :func:`mmca.engine.stop_on_signals` active, a stop signal to any
    rank is seen by every rank at the end of the same iteration (one
    all-reduce of a flag per iteration). The run's
    :class:`AtomicCheckpointHook` then saves ``iter_N.pth`` for the
    iterations done, ``last_checkpoint`` names it, and
    :class:`TrainingStopped` ends the run; ``--resume`` continues with the
    next iteration, mid-epoch included
    (:mod:`mmca.engine.resumable_loops`). A signal during validation stops
    at the next validation batch without a new checkpoint: the epoch's
    checkpoint was saved before validation began, and is the resume point.

    Its priority is the lowest, so the other hooks of the iteration (the
    schedulers' step, the logger) have run when it saves.
    """

    priority = 'LOWEST'

    def before_train(self, runner) -> None:
        if stop_agreed():    # a signal while the runner was being built
            raise TrainingStopped(
                f'{_signal()}: stopped before training began, at iteration '
                f'{runner.iter}; nothing new was saved')

    def after_train_iter(self, runner, batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[Dict] = None) -> None:
        if not stop_agreed():
            return
        hook = next((hook for hook in runner.hooks
                     if isinstance(hook, AtomicCheckpointHook)), None)
        where = f'iteration {runner.iter + 1}'
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            where += (f' (epoch {runner.epoch + 1}, batch {batch_idx + 1} '
                      f'of {len(runner.train_dataloader)})')
        if hook is None:
            raise TrainingStopped(
                f'{_signal()}: stopped after {where} without saving (the '
                'config has no checkpoint hook)')
        path = hook.save_now(runner)
        raise TrainingStopped(
            f'{_signal()}: stopped after {where}, saved as {path}. Continue '
            'with tools/train.py CONFIG --resume.')

    def after_val_iter(self, runner, batch_idx: int,
                       data_batch: Optional[dict] = None,
                       outputs=None) -> None:
        if not stop_agreed():
            return
        last = read_last_checkpoint(runner.work_dir)
        kept = (f'{last} is the resume point' if last else
                'no checkpoint had been saved yet')
        after = (f'epoch {runner.epoch}'
                 if isinstance(runner.train_loop, EpochBasedTrainLoop) else
                 f'iteration {runner.iter}')
        raise TrainingStopped(
            f'{_signal()}: stopped during the validation after {after}; '
            f'{kept}. Continue with tools/train.py CONFIG --resume.')


def _signal() -> str:
    return stop_requested() or 'a stop signal to another process'
