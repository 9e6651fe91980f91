"""Seeds derived from a run's seed and a position in training.

A resumed run must draw the same random numbers as one that never stopped.
The state of a random generator is a history of every draw before it, and
the draws of dataloader workers never reach the checkpoint; so instead each
sample and each iteration gets a seed of its own, a pure function of the
run's seed and where it is (epoch, rank, position), and any process can
compute it again.
"""
import random

import numpy as np
import torch


def derive_seed(*keys: int) -> int:
    """A 32-bit seed from integer ``keys``, well mixed (numpy's
    ``SeedSequence``: keys that differ in one place give unrelated seeds).
    Each key is taken modulo 2**32, as ``SeedSequence`` takes no negative
    number (a run's seed may be one)."""
    return int(np.random.SeedSequence([int(key) % 2**32 for key in keys])
               .generate_state(1)[0])


def seed_everything(seed: int, accelerators: bool = True) -> None:
    """Seed Python's, numpy's and torch's global generators, which the data
    transforms of mmcv, mmdet, mmseg and mmpretrain and the models draw
    from.

    Args:
        seed (int): The seed.
        accelerators (bool): Seed the GPUs' generators too, as
            ``torch.manual_seed`` does; the CPU's alone otherwise, for data
            transforms, which run on the CPU (``torch.manual_seed`` takes
            about 90 µs on a CUDA build, the CPU generator 1 µs).
    """
    random.seed(seed)
    np.random.seed(seed)
    if accelerators:
        torch.manual_seed(seed)
    else:
        torch.default_generator.manual_seed(seed)
