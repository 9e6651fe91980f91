"""Train loops that resume where a run stopped, mid-epoch included.

mmengine's ``EpochBasedTrainLoop`` resumes at epoch boundaries only: a
checkpoint saved part-way through an epoch restarts that epoch from its
first batch, training those batches twice. Its ``IterBasedTrainLoop``
resumes at the right iteration, but by loading and discarding every batch
trained before. Neither restores the random state, so a resumed run draws
other augmentations and dropout masks than the run it continues.

The loops here change three things, and nothing else of mmengine's:

- the epoch loop records how many batches of the epoch are done
  (``epoch_batches_done`` in the message hub, which every checkpoint
  saves), and a resumed epoch starts after them: the batch sampler skips
  them by index (:class:`~mmca.datasets.ResumableBatchSampler`) and the
  batch index the hooks see goes on from there;
- every sample is drawn under a seed of its own place in training
  (:class:`~mmca.datasets.SeededSamples`);
- before each iteration the process's generators are seeded from the run's
  seed, the rank and the iteration, so the model's own draws (dropout,
  batch augments) do not depend on what came before.

A run that stopped and resumed therefore trains on the same batches, with
the same random numbers, as one that never stopped.
:func:`use_resumable_loops` puts them into a config.
"""
from mmengine.config import Config
from mmengine.dist import get_rank
from mmengine.logging import print_log
from mmengine.registry import LOOPS
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop

from mmca.datasets import ResumableBatchSampler, derive_seed, seed_everything

#: The message hub key of the batches of the current epoch already trained.
EPOCH_BATCHES_DONE = 'epoch_batches_done'


class _SeededIterations:
    """Seeds the process's generators before each iteration."""

    def run_iter(self, *args, **kwargs) -> None:
        seed_everything(
            derive_seed(self.runner.seed or 0, get_rank(), self._iter))
        super().run_iter(*args, **kwargs)

    @property
    def _batches(self) -> ResumableBatchSampler:
        batches = self.dataloader.batch_sampler
        if not isinstance(batches, ResumableBatchSampler):
            raise TypeError(
                f'{type(self).__name__} needs a train dataloader whose '
                'batch_sampler is a ResumableBatchSampler; '
                'mmca.engine.use_resumable_loops sets one up')
        return batches


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(_SeededIterations, EpochBasedTrainLoop):
    """mmengine's ``EpochBasedTrainLoop`` that resumes mid-epoch (see
    :mod:`mmca.engine.resumable_loops`). Takes the same arguments."""

    def run_epoch(self) -> None:
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        hub = self.runner.message_hub
        done = hub.get_info(EPOCH_BATCHES_DONE, 0)
        if done:
            print_log(
                f'Resuming epoch {self._epoch + 1} after its first {done} of '
                f'{len(self.dataloader)} batches', logger='current')
        self._batches.start_epoch(self._epoch, skip=done)
        for idx, data_batch in enumerate(self.dataloader, start=done):
            # set before the hooks run, so that a checkpoint saved by one of
            # them counts this batch among those done
            hub.update_info(EPOCH_BATCHES_DONE, idx + 1)
            self.run_iter(idx, data_batch)
        hub.update_info(EPOCH_BATCHES_DONE, 0)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1


@LOOPS.register_module()
class ResumableIterBasedTrainLoop(_SeededIterations, IterBasedTrainLoop):
    """mmengine's ``IterBasedTrainLoop`` with each sample and iteration
    seeded by its place (see :mod:`mmca.engine.resumable_loops`), so that
    its resume, which replays the batches already trained, replays them
    exactly. Takes the same arguments."""

    def run(self) -> None:
        self._batches.start_epoch(0)
        return super().run()


def use_resumable_loops(cfg: Config) -> None:
    """Make ``cfg``'s training resumable mid-epoch and reproducible across
    a resume.

    mmengine's two train loops (by ``type``, or by ``by_epoch`` without
    one) become :class:`ResumableEpochBasedTrainLoop` and
    :class:`ResumableIterBasedTrainLoop`; the train dataset is wrapped in
    :class:`~mmca.datasets.SeededSamples` and its batch sampler (or the
    one ``batch_size`` and ``drop_last`` describe) in
    :class:`~mmca.datasets.ResumableBatchSampler`. A config with a loop of
    its own keeps it, and its data, as they are.
    """
    loop = cfg.get('train_cfg')
    dataloader = cfg.get('train_dataloader')
    if not loop or not dataloader:
        return
    kind = loop.get('type') or ('EpochBasedTrainLoop'
                                if loop.get('by_epoch', True)
                                else 'IterBasedTrainLoop')
    resumable = {
        'EpochBasedTrainLoop': 'ResumableEpochBasedTrainLoop',
        'IterBasedTrainLoop': 'ResumableIterBasedTrainLoop',
    }.get(kind)
    if resumable is None:
        return
    loop.pop('by_epoch', None)
    loop['type'] = resumable
    dataloader['dataset'] = dict(type='SeededSamples',
                                 dataset=dataloader['dataset'])
    dataloader['batch_sampler'] = dict(
        type='ResumableBatchSampler',
        batch_sampler=dataloader.get('batch_sampler'),
        drop_last=dataloader.pop('drop_last', False))
