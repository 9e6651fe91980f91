"""Whole models from configs, timed side by side."""
from typing import Dict, Sequence

import torch
import torch.nn as nn

from .timing import median_ratio, median_time, time_side_by_side


def benchmark_models(models: Dict[str, nn.Module],
                     baseline: str,
                     input_shape: Sequence[int],
                     batch_sizes: Sequence[int] = (1, 8),
                     channels_last: bool = False,
                     **timing) -> Dict:
    """Latency and throughput of the raw network (``mode='tensor'``).

    The models run interleaved on the same input, so their ratios hold on a
    loaded machine. Batch 1 gives latency, larger batches throughput.

    Returns:
        dict: per batch size, the median ``ms`` per forward and
        ``images_per_s`` of each model, and ``ratio``: the median over
        rounds of each model's time over ``baseline``'s.
    """
    results = {}
    for batch in batch_sizes:
        x = torch.randn(batch, 3, *input_shape)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        candidates = {}
        for name, model in models.items():
            if channels_last:
                model.to(memory_format=torch.channels_last)
            candidates[name] = (lambda m=model: m(x, mode='tensor'))
        with torch.no_grad():
            samples = time_side_by_side(candidates, **timing)
        ms = {k: median_time(v) * 1e3 for k, v in samples.items()}
        results[batch] = dict(
            ms=ms, images_per_s={k: batch / v * 1e3 for k, v in ms.items()},
            ratio={k: median_ratio(samples, k, baseline) for k in samples})
    return results
