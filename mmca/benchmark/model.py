"""Whole models from configs, timed side by side."""
from typing import Callable, Dict, Sequence, Union

import numpy as np
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
        results[batch] = _batch_result(samples, batch, baseline)
    return results


def _batch_result(samples: Dict, batch: int,
                  baseline: Union[str, Dict[str, str]]) -> Dict:
    """Median ``ms`` per forward, ``images_per_s`` and each model's
    ``ratio`` over the baseline (or over its own, where ``baseline`` maps
    each name to one), from one batch size's timing samples."""
    ms = {k: median_time(v) * 1e3 for k, v in samples.items()}
    if isinstance(baseline, str):
        baseline = dict.fromkeys(samples, baseline)
    return dict(
        ms=ms, images_per_s={k: batch / v * 1e3 for k, v in ms.items()},
        ratio={k: median_ratio(samples, k, baseline[k]) for k in samples})


def benchmark_deployed_models(sessions: Dict[str, Callable],
                              baseline: Union[str, Dict[str, str]],
                              input_shape: Sequence[int],
                              batch_sizes: Sequence[int] = (1, 8),
                              **timing) -> Dict:
    """:func:`benchmark_models` in an inference runtime.

    Args:
        sessions (dict): Model name to the loaded model
            (:meth:`mmca.deployment.Backend.load`), as deployed: each
            runtime's graph optimizations on, float32, and threads that
            block rather than spin between runs where the runtime allows.
            Batch sizes a model was not exported for are the caller's to
            leave out.
        baseline (str | dict): The name the ratios are over, or each
            name's own baseline (INT8 models over the INT8 baseline).

    Returns:
        dict: As :func:`benchmark_models`.
    """
    results = {}
    for batch in batch_sizes:
        x = np.random.default_rng(0).standard_normal(
            (batch, 3, *input_shape)).astype(np.float32)
        samples = time_side_by_side(
            {name: (lambda s=s: s(x)) for name, s in sessions.items()},
            **timing)
        results[batch] = _batch_result(samples, batch, baseline)
    return results
