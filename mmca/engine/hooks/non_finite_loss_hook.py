"""Stop training at the first iteration whose loss is NaN or infinite."""
import math
from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.runner import EpochBasedTrainLoop

from ..last_checkpoint import read_last_checkpoint


class NonFiniteLossError(FloatingPointError):
    """A loss term became NaN or infinite during training."""


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Stop at the first non-finite loss, naming the iteration and the term.

    A NaN or infinite loss makes the weights non-finite through the optimizer
    step, and every later iteration and checkpoint is then worthless. This
    hook checks every term the model's ``parse_losses`` sums (every logged
    key with ``loss`` in its name) after each iteration and raises
    :class:`NonFiniteLossError` at once. Its priority is above
    ``CheckpointHook``'s, so a checkpoint of the spoiled weights is never
    written, and the last good one stays what ``--resume`` reads.

    mmdet's ``CheckInvalidLossHook`` looks at the total only, every
    ``interval`` iterations, and fails through a bare ``assert``. In a
    distributed run every process learns that one of them saw a non-finite
    loss (one all-reduce of a flag), so all stop together instead of the
    others waiting forever for the stopped one.
    """

    priority = 'VERY_HIGH'

    def after_train_iter(self, runner, batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[Dict] = None) -> None:
        bad = _non_finite_terms(outputs or {})
        flag = torch.tensor(float(bool(bad)))
        all_reduce(flag, op='max')
        if not flag.item():
            return
        where = f'iteration {runner.iter + 1}'
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            where += f' (epoch {runner.epoch + 1}, batch {batch_idx + 1})'
        what = (', '.join(f'{name} became {value}'
                          for name, value in bad.items())
                if bad else 'the loss of another process became non-finite')
        last = read_last_checkpoint(runner.work_dir)
        kept = (f'the last checkpoint, {last}, is kept'
                if last else 'no checkpoint had been saved yet')
        raise NonFiniteLossError(
            f'{what} at {where}. Training stopped without saving these '
            f'weights; {kept}. A learning rate too high for this model and '
            'batch size (optim_wrapper.optimizer.lr) or a bad sample in the '
            'data are the usual causes.')


def _non_finite_terms(outputs: Dict) -> Dict[str, float]:
    """The loss terms of ``outputs`` that are not finite, by name.

    The total ``loss`` is named only when every term it sums is finite (the
    sum overflowed).
    """
    bad = {}
    for name, value in outputs.items():
        if 'loss' not in name:
            continue
        value = float(torch.as_tensor(value).detach().float().sum())
        if not math.isfinite(value):
            bad[name] = value
    if len(bad) > 1:
        bad.pop('loss', None)
    return bad
