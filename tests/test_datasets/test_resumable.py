"""Resumable batches: an epoch starts at any batch without loading the ones
before, and every sample draws the same random numbers wherever it is
loaded."""
import random

import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler, default_collate
from torch.utils.data import DataLoader, Dataset

from mmca.datasets import (ResumableBatchSampler, SeededBatch, SeededSamples,
                           derive_seed)


class NoisySamples(Dataset):
    """Sample i: its index and one draw from each global generator, as a
    random transform makes them; ``loaded`` counts the loads."""

    def __init__(self, size=12):
        self.size = size
        self.loaded = []

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        self.loaded.append(index)
        return dict(index=index, draws=torch.tensor(
            [random.random(), np.random.rand(), torch.rand(()).item()],
            dtype=torch.float64))


def batches(dataset, epoch, skip=0, num_workers=0, seed=3, drop_last=False):
    sampler = DefaultSampler(dataset, shuffle=True, seed=seed)
    sampler.set_epoch(epoch)
    batch_sampler = ResumableBatchSampler(sampler, batch_size=3,
                                          drop_last=drop_last)
    batch_sampler.start_epoch(epoch, skip)
    loader = DataLoader(SeededSamples(dataset), batch_sampler=batch_sampler,
                        num_workers=num_workers, collate_fn=default_collate)
    return [(batch['index'].tolist(), batch['draws']) for batch in loader]


def test_a_skipped_epoch_yields_the_tail_of_the_whole_one():
    whole = batches(NoisySamples(), epoch=1)
    tail = batches(NoisySamples(), epoch=1, skip=2)
    assert len(whole) == 4 and len(tail) == 2
    for (indices, draws), (tail_indices, tail_draws) in zip(whole[2:], tail):
        assert indices == tail_indices
        assert torch.equal(draws, tail_draws)


def test_skipped_batches_are_not_loaded():
    dataset = NoisySamples()
    batches(dataset, epoch=0, skip=3)
    assert len(dataset.loaded) == 3   # the last batch only


@pytest.mark.parametrize('num_workers', [1, 2])
def test_a_sample_draws_the_same_numbers_in_any_worker(num_workers):
    alone = batches(NoisySamples(), epoch=2)
    spread = batches(NoisySamples(), epoch=2, num_workers=num_workers)
    for (indices, draws), (spread_indices, spread_draws) in zip(alone,
                                                                spread):
        assert indices == spread_indices
        assert torch.equal(draws, spread_draws)


def test_draws_differ_between_samples_and_epochs():
    first = torch.cat([draws for _, draws in batches(NoisySamples(), 0)])
    second = torch.cat([draws for _, draws in batches(NoisySamples(), 1)])
    assert len(set(first[:, 0].tolist())) == 12
    # the same sample in another epoch is augmented anew
    assert not set(first[:, 0].tolist()) & set(second[:, 0].tolist())


def test_seeds_follow_epoch_rank_and_position():
    assert derive_seed(1, 0, 0, 5) == derive_seed(1, 0, 0, 5)
    seeds = {derive_seed(1, e, r, p) for e in range(3) for r in range(2)
             for p in range(50)}
    assert len(seeds) == 300


def test_without_a_start_each_pass_is_the_next_epoch():
    sampler = DefaultSampler(NoisySamples(), shuffle=False, seed=0)
    batch_sampler = ResumableBatchSampler(sampler, batch_size=4)
    first, second = list(batch_sampler), list(batch_sampler)
    assert first == second          # the same indices ...
    assert first[0].seeds != second[0].seeds    # ... seeded as epochs 0, 1
    assert isinstance(first[0], SeededBatch) and len(batch_sampler) == 3


def test_drop_last_is_kept():
    dataset = NoisySamples(size=10)
    sampler = DefaultSampler(dataset, shuffle=False, seed=0)
    dropping = ResumableBatchSampler(sampler, batch_size=3, drop_last=True)
    assert len(dropping) == 3 and [len(b) for b in dropping] == [3, 3, 3]
    keeping = ResumableBatchSampler(sampler, batch_size=3)
    assert [len(b) for b in keeping] == [3, 3, 3, 1]


def test_the_wrapped_dataset_is_read_through():
    dataset = NoisySamples()
    dataset.metainfo = dict(classes=('a', ))
    wrapped = SeededSamples(dataset)
    assert wrapped.metainfo == dict(classes=('a', ))
    assert len(wrapped) == 12 and wrapped[4]['index'] == 4
