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
        results[batch] = _batch_result(samples, batch, baseline)
    return results


def _batch_result(samples: Dict, batch: int, baseline: str) -> Dict:
    """Median ``ms`` per forward, ``images_per_s`` and each model's
    ``ratio`` over the baseline, from one batch size's timing samples."""
    ms = {k: median_time(v) * 1e3 for k, v in samples.items()}
    return dict(
        ms=ms, images_per_s={k: batch / v * 1e3 for k, v in ms.items()},
        ratio={k: median_ratio(samples, k, baseline) for k in samples})


def benchmark_onnx_models(paths: Dict[str, str],
                          baseline: str,
                          input_shape: Sequence[int],
                          batch_sizes: Sequence[int] = (1, 8),
                          threads: int = 0,
                          **timing) -> Dict:
    """:func:`benchmark_models` in ONNX Runtime, the deployment runtime.

    Each exported model (input ``input``, dynamic batch, height and width)
    runs in its own ``CPUExecutionProvider`` session with every graph
    optimization on, as deployed. The sessions' worker threads block rather
    than spin between runs: a spinning pool of the session that ran last
    takes the cores from the one being timed, which cost the baseline 1.8x
    its own time at batch 1 on 2 cores (docs/deployment.md).

    Args:
        paths (dict): Model name to its ``.onnx`` file.
        threads (int): Intra-op threads of each session; 0 lets ONNX
            Runtime choose (one per core).

    Returns:
        dict: As :func:`benchmark_models`.
    """
    import numpy as np
    sessions = {name: _onnx_session(path, threads)
                for name, path in paths.items()}
    results = {}
    for batch in batch_sizes:
        x = np.random.default_rng(0).standard_normal(
            (batch, 3, *input_shape)).astype(np.float32)
        samples = time_side_by_side(
            {name: (lambda s=s: s.run(None, {'input': x}))
             for name, s in sessions.items()}, **timing)
        results[batch] = _batch_result(samples, batch, baseline)
    return results


def _onnx_session(path: str, threads: int, profile_prefix: str = None):
    """A ``CPUExecutionProvider`` session as deployed: every graph
    optimization (NCHWc layout, Conv+BN+activation fusion) on."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.graph_optimization_level = (
        ort.GraphOptimizationLevel.ORT_ENABLE_ALL)
    options.intra_op_num_threads = threads
    options.add_session_config_entry('session.intra_op.allow_spinning', '0')
    if profile_prefix:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    return ort.InferenceSession(path, options,
                                providers=['CPUExecutionProvider'])


def profile_onnx_model(path: str,
                       input_shape: Sequence[int],
                       batch: int = 1,
                       threads: int = 0,
                       runs: int = 20,
                       warmup: int = 3) -> Dict[str, float]:
    """Where an exported model's time goes in ONNX Runtime: kernel
    milliseconds per run by operator type of the optimized graph (the
    ``com.microsoft.nchwc`` ops included: ``ReorderInput`` and
    ``ReorderOutput`` are the layout changes around ops that NCHWc does not
    cover), largest first, from ONNX Runtime's own profiler."""
    import json
    import os
    import tempfile

    import numpy as np
    with tempfile.TemporaryDirectory() as tmp:
        session = _onnx_session(path, threads, os.path.join(tmp, 'profile'))
        x = np.random.default_rng(0).standard_normal(
            (batch, 3, *input_shape)).astype(np.float32)
        for _ in range(warmup + runs):
            session.run(None, {'input': x})
        with open(session.end_profiling()) as f:
            events = json.load(f)
    run_ends = sorted(e['ts'] + e['dur'] for e in events
                      if e.get('name') == 'model_run')
    timed_from = run_ends[warmup - 1] if warmup else 0
    totals = {}
    for event in events:
        if (event.get('cat') == 'Node' and event['ts'] >= timed_from
                and event['name'].endswith('_kernel_time')):
            op = event['args']['op_name']
            totals[op] = totals.get(op, 0.) + event['dur'] / 1e3 / runs
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))
