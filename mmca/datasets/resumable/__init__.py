"""Training data that resumes mid-epoch and draws the same random numbers
whether a run stopped or not (the train loops of
:mod:`mmca.engine.resumable_loops` drive them)."""
from .batch_sampler import ResumableBatchSampler, SeededBatch
from .seeded_samples import SeededSamples
from .seeds import derive_seed, seed_everything

__all__ = [
    'ResumableBatchSampler', 'SeededBatch', 'SeededSamples', 'derive_seed',
    'seed_everything'
]
