"""Timing candidates side by side, so that their ratios mean something.

On a shared machine absolute times drift with the load; ratios of times
taken side by side do not. Every candidate is warmed up, then each round
times every candidate once (``repeats`` calls each), the order reversed
every other round: whichever model ran first in a round was measurably
slower (docs/performance.md), so a fixed order biases the ratio. A ratio is
the median over pairs of rounds (one of each order) of the ratio within the
pair, so a burst of load that hits a few rounds moves neither times nor
ratios much.
"""
import statistics
import time
from typing import Callable, Dict, List

import torch


def time_side_by_side(candidates: Dict[str, Callable[[], object]],
                      rounds: int = 16,
                      repeats: int = 5,
                      warmup: int = 3) -> Dict[str, List[float]]:
    """Seconds per call of each candidate in each round, interleaved.

    Args:
        candidates (dict[str, callable]): Name to a callable that runs the
            work once.
        rounds (int): Rounds of timing, in pairs of the two orders.
        repeats (int): Calls per candidate per round.
        warmup (int): Untimed calls per candidate first (allocator, oneDNN
            primitive caches, lazy builds).

    Returns:
        dict[str, list[float]]: Name to seconds per call, one per round.
    """
    for run in candidates.values():
        for _ in range(warmup):
            run()
    samples = {name: [] for name in candidates}
    order = list(candidates.items())
    for round_index in range(rounds):
        for name, run in order[::-1] if round_index % 2 else order:
            start = time.perf_counter()
            for _ in range(repeats):
                run()
            samples[name].append((time.perf_counter() - start) / repeats)
    return samples


def median_time(samples: List[float]) -> float:
    """Median seconds per call over rounds."""
    return statistics.median(samples)


def median_ratio(samples: Dict[str, List[float]], name: str,
                 reference: str) -> float:
    """Median over pairs of rounds (both orders) of ``name``'s time over
    ``reference``'s in the pair; one round alone if there is no pair."""
    times, ref = samples[name], samples[reference]
    pairs = [(i, i + 1) for i in range(0, len(times) - 1, 2)] or [(0, )]
    return statistics.median(
        sum(times[i] for i in pair) / sum(ref[i] for i in pair)
        for pair in pairs)


def saved_activation_bytes(run: Callable[[], torch.Tensor]) -> int:
    """Bytes autograd keeps for backward while ``run()`` builds its graph.

    Counts every distinct storage saved by the graph once (parameters and
    the input included, as the training step would keep them).
    """
    storages = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        run()
    return sum(storages.values())
