"""Batches that can start part-way through an epoch, each sample carrying
its own seed."""
from typing import Iterator, List, Optional, Sequence, Union

from mmengine.dist import get_rank
from mmengine.registry import DATA_SAMPLERS
from torch.utils.data import BatchSampler, Sampler

from .seeds import derive_seed


class SeededBatch(list):
    """A batch of dataset indices, with the seed of each sample in
    ``seeds``. It travels to the dataloader workers as the batch does
    (a list subclass pickles with its attributes)."""

    def __init__(self, indices: Sequence[int], seeds: Sequence[int]) -> None:
        super().__init__(indices)
        self.seeds = list(seeds)


@DATA_SAMPLERS.register_module()
class ResumableBatchSampler(Sampler):
    """The batches of ``batch_sampler``, from any batch of an epoch on.

    mmengine restarts an interrupted epoch from its first batch, and the
    workers' random generators from their seeds, so a resumed run trains on
    the epoch's first batches twice and augments every later sample
    differently. This batch sampler skips the batches an epoch has already
    trained by their indices alone (nothing is loaded), and gives sample
    ``p`` of epoch ``e`` on rank ``r`` the seed
    ``derive_seed(seed, e, r, p)`` (:class:`~mmca.datasets.SeededSamples`
    seeds the generators with it before the sample's pipeline runs): the
    same sample gets the same augmentation whether the run stopped or not,
    with any number of workers.

    The epoch and the batches to skip come from the train loop
    (:meth:`start_epoch`); without that call each pass over the data counts
    as the next epoch.

    Args:
        sampler (Sampler): The index sampler (mmengine's ``DefaultSampler``
            or ``InfiniteSampler``, ...). ``DistSamplerSeedHook`` finds it
            as ``sampler`` and sets its epoch as before.
        batch_size (int): Samples per batch.
        drop_last (bool): Drop the last incomplete batch (when
            ``batch_sampler`` is None). Defaults to False.
        batch_sampler (dict, optional): The batch sampler config this one
            wraps (mmdet's ``AspectRatioBatchSampler``); built with
            ``sampler`` and ``batch_size``. Defaults to torch's
            ``BatchSampler``.
        seed (int, optional): The run's seed. Defaults to the sampler's
            ``seed`` (the runner's), else 0.
    """

    def __init__(self,
                 sampler: Sampler,
                 batch_size: int,
                 drop_last: bool = False,
                 batch_sampler: Optional[Union[dict, Sampler]] = None,
                 seed: Optional[int] = None) -> None:
        if batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        elif isinstance(batch_sampler, dict):
            batch_sampler = DATA_SAMPLERS.build(
                batch_sampler,
                default_args=dict(sampler=sampler, batch_size=batch_size))
        self.batch_sampler = batch_sampler
        self.sampler = sampler
        self.batch_size = batch_size
        if seed is None:
            seed = getattr(sampler, 'seed', None) or 0
        self.seed = int(seed)
        self.rank = get_rank()
        self._epoch = 0
        self._skip = 0

    def start_epoch(self, epoch: int, skip: int = 0) -> None:
        """Make the next pass epoch ``epoch``, starting after its first
        ``skip`` batches."""
        self._epoch, self._skip = epoch, skip

    def __iter__(self) -> Iterator[List[int]]:
        epoch, skip = self._epoch, self._skip
        self._epoch, self._skip = epoch + 1, 0
        position = 0
        for number, batch in enumerate(self.batch_sampler):
            if number >= skip:
                yield SeededBatch(batch, [
                    derive_seed(self.seed, epoch, self.rank, position + k)
                    for k in range(len(batch))
                ])
            position += len(batch)

    def __len__(self) -> int:
        return len(self.batch_sampler)
