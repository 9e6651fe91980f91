"""Whole models exported to an inference runtime and timed there."""
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np
import torch.nn as nn

from mmca.deployment import (BACKENDS, QuantizationOptions,
                             QuantizationUnavailable, TensorOutputs,
                             attention_scopes, compare_with_pytorch,
                             export_to_backend)
from mmca.models.attention.export_form import CAExportForm
from mmca.utils import InputError
from .model import benchmark_deployed_models


def benchmark_in_runtime(models: Dict[str, nn.Module],
                         baseline: str,
                         backend: str,
                         input_shape: Sequence[int],
                         batch_sizes: Sequence[int] = (1, 8),
                         static_shape: bool = False,
                         ca_form: Optional[CAExportForm] = None,
                         threads: int = 0,
                         profile: bool = False,
                         out_dir: str = '.',
                         int8: Optional[QuantizationOptions] = None,
                         **timing) -> Dict:
    """:func:`~mmca.benchmark.benchmark_deployed_models` from PyTorch models:
    each exported as ``tools/deployment/export.py`` does, loaded and timed
    side by side, then checked against PyTorch on the timed files.

    Each model is written to ``out_dir`` as ``<name's stem><suffix>``, once,
    with a dynamic batch axis; a graph fixed to one size, or a runtime
    without a batch axis, is written once per batch size
    (``<stem>_b<batch><suffix>`` above batch 1). A runtime that runs one
    image (ncnn, LiteRT) is timed at batch 1 only.

    Args:
        models (dict[str, nn.Module]): Name to model (``mode='tensor'``).
        baseline (str): The name the ratios are over.
        backend (str): A key of :data:`mmca.deployment.BACKENDS`.
        input_shape (tuple[int, int]): Input height and width.
        batch_sizes (Sequence[int]): Batch sizes to time.
        static_shape (bool): Export fixed to the input shape, in the CA form
            the runtime runs fastest at one size.
        ca_form (CAExportForm, optional): Export CA in this form instead of
            the runtime's own.
        threads (int): The runtime's intra-op threads (0: its choice).
        profile (bool): Also time each operator type, at the first batch
            size, with the runtime's own profiler.
        out_dir (str): Where the exported files go.
        int8 (QuantizationOptions, optional): Also quantize each export
            to INT8 so (as ``tools/deployment/quantize.py`` does, but
            calibrated on random inputs: the kernels, and so the time, do
            not depend on the ranges) and time the INT8 files beside the
            fp32 ones, each under the name :func:`int8_name` gives.
        **timing: ``rounds``, ``repeats``, ``warmup`` of
            :func:`~mmca.benchmark.time_side_by_side`.

    Returns:
        dict: ``batches``, as :func:`benchmark_deployed_models` with
        ``parity`` per batch (name to :func:`compare_with_pytorch`'s
        result at that batch size); ``static_shape``, whether the graphs
        are fixed to ``input_shape``; ``ca_form``, the CA form exported; and
        with ``profile``, ``profile``: ``dict(batch=..., <name>=<op type to
        ms>)``, or None where the runtime has no profiler Python reaches.

    Raises:
        InputError: If the runtime is not installed, or with ``int8``,
            cannot quantize so.
    """
    runtime = BACKENDS[backend]
    try:
        runtime.check_available()
        if int8 is not None:
            runtime.check_quantization(int8)
    except QuantizationUnavailable as err:
        raise InputError(str(err)) from None
    batch_sizes = [1] if runtime.single_image else list(batch_sizes)
    fixed = (static_shape or not runtime.dynamic_shapes
             or bool(ca_form and ca_form.static))
    # A graph fixed to one size is exported once per batch size.
    per_batch = fixed or not runtime.batches
    batches, paths = {}, {}
    for batch in batch_sizes:
        if batch == batch_sizes[0] or per_batch:
            sessions = {}
            for name, model in models.items():
                path = paths[name] = osp.join(
                    out_dir, osp.splitext(osp.basename(name))[0] +
                    (f'_b{batch}' if per_batch and batch > 1 else '') +
                    runtime.suffix)
                form, static = export_to_backend(
                    TensorOutputs(model), runtime, path,
                    (batch, 3, *input_shape), static_shape, ca_form)
                sessions[name] = runtime.load(path, threads)
                if int8 is not None:
                    sessions[int8_name(name)] = runtime.load(
                        quantize_for_timing(runtime, model, path,
                                            (batch, 3, *input_shape), int8),
                        threads)
            if batch == batch_sizes[0]:
                first_paths = dict(paths)
        # INT8 models over the INT8 baseline
        baselines = {name: int8_name(baseline) if name.endswith(INT8_SUFFIX)
                     else baseline for name in sessions}
        batches.update(benchmark_deployed_models(
            sessions, baselines, input_shape, [batch], **timing))
        # the timed files against PyTorch, on one random input
        batches[batch]['parity'] = {
            name: next(iter(compare_with_pytorch(
                TensorOutputs(models[name.replace(INT8_SUFFIX, '')]),
                session, [(batch, 3, *input_shape)]).values()))
            for name, session in sessions.items()}
    result = dict(batches=batches, static_shape=static,
                  ca_form=ca_form or form,
                  int8=None if int8 is None else str(int8))
    if profile:
        profiles = {name: runtime.profile(first_paths[name], input_shape,
                                          batch_sizes[0], threads)
                    for name in models}
        result['profile'] = (None if None in profiles.values() else
                             dict(batch=batch_sizes[0], **profiles))
    return result


INT8_SUFFIX = ' (INT8)'


def int8_name(name: str) -> str:
    """The name an INT8 model is timed under, beside its fp32 ``name``."""
    return name + INT8_SUFFIX


def quantize_for_timing(runtime, model: nn.Module, fp32_path: str,
                        input_shape, options: QuantizationOptions) -> str:
    """The INT8 model of the export ``fp32_path`` of ``model``, calibrated
    on four random inputs of ``input_shape``, written beside it
    (``<stem>_int8<suffix>``); its path."""
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(input_shape).astype(np.float32)
              for _ in range(4)]
    path = osp.splitext(fp32_path)[0] + '_int8' + runtime.suffix
    runtime.quantize(fp32_path, path, inputs, options,
                     attention_scopes(TensorOutputs(model)))
    return path
