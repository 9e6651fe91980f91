"""OpenVINO, CPU plugin."""
from typing import Dict, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn

from mmca.models.attention.export_form import CAExportForm
from .base import Backend, Session


def compiled_model(path: str, threads: int = 0, profile: bool = False):
    """The model compiled for the CPU in float32: OpenVINO would otherwise
    run bf16 on a CPU with AVX512-BF16 or AMX, and fp16 on ARM."""
    import openvino as ov
    config = {'INFERENCE_PRECISION_HINT': 'f32',
              'PERFORMANCE_HINT': 'LATENCY'}
    if threads:
        config['INFERENCE_NUM_THREADS'] = threads
    if profile:
        config['PERF_COUNT'] = True
    return ov.Core().compile_model(path, 'CPU', config)


class OpenVINOBackend(Backend):
    """OpenVINO IR (``.xml`` and ``.bin``) from the PyTorch model by
    ``ov.convert_model``, weights kept in float32."""

    name = 'openvino'
    suffix = '.xml'
    modules = ('openvino', )
    package = 'openvino'
    static_form = CAExportForm('avgpool', 'outer')

    def export(self, model: nn.Module, path: str, input_shape: Sequence[int],
               static: bool) -> None:
        import openvino as ov
        model.eval()
        shape = list(input_shape) if static else [-1, 3, -1, -1]
        with torch.no_grad():
            converted = ov.convert_model(
                model, example_input=torch.randn(*input_shape),
                input=[ov.PartialShape(shape)])
        ov.save_model(converted, path, compress_to_fp16=False)

    def load(self, path: str, threads: int = 0) -> Session:
        request = compiled_model(path, threads).create_infer_request()

        def run(x: np.ndarray):
            request.infer({0: x})
            return [request.get_output_tensor(i).data.copy()
                    for i in range(len(request.model_outputs))]

        return run

    def profile(self, path: str, input_shape: Sequence[int], batch: int = 1,
                threads: int = 0, runs: int = 20,
                warmup: int = 3) -> Optional[Dict[str, float]]:
        """Milliseconds per run by the executed layer types
        (``PERF_COUNT``), after OpenVINO's fusions."""
        request = compiled_model(path, threads,
                                 profile=True).create_infer_request()
        x = np.random.default_rng(0).standard_normal(
            (batch, 3, *input_shape)).astype(np.float32)
        for _ in range(warmup):
            request.infer({0: x})
        totals = {}
        for _ in range(runs):
            request.infer({0: x})
            for info in request.get_profiling_info():
                if info.status.name != 'EXECUTED':
                    continue
                ms = info.real_time.total_seconds() * 1e3 / runs
                totals[info.node_type] = totals.get(info.node_type, 0.) + ms
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))
