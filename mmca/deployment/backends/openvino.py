"""OpenVINO, CPU plugin."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn

from mmca.models.attention.export_form import CAExportForm
from ..quantization import GATE_OP_TYPES, QuantizationOptions
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


def gate_ops(model, attention_scopes: Sequence[str]) -> List[str]:
    """The friendly names of the ops of CA's gating
    (:data:`~mmca.deployment.quantization.GATE_OP_TYPES`) inside the
    blocks ``attention_scopes`` of an OpenVINO model converted from
    PyTorch, whose op names start ``__module.<module path>/``."""
    scopes = tuple(f'__module.{scope}/' for scope in attention_scopes)
    return [op.get_friendly_name() for op in model.get_ops()
            if op.get_type_name() in GATE_OP_TYPES['openvino']
            and op.get_friendly_name().startswith(scopes)]


def one_pixel_depthwise_convs(model, input_shapes) -> List[str]:
    """The friendly names of the depthwise convolutions of ``model`` whose
    input is 1x1 at any of ``input_shapes`` (SSDLite's last level).

    OpenVINO 2026.4's CPU plugin computes an int8 depthwise 3x3
    convolution of a 1x1 input wrongly with its AVX-512 kernels (a
    relative error of 0.39 against 0.08 with ``ONEDNN_MAX_CPU_ISA=AVX2``,
    and 0.7-0.9 on SSDLite320's 1x1 outputs; docs/deployment.md, "INT8",
    has the reproduction). Those convolutions cost next to nothing, so
    they are left in float on every CPU.
    """
    found = []
    for shape in input_shapes:
        sized = model.clone()
        sized.reshape(list(shape))
        for op in sized.get_ops():
            if op.get_type_name() != 'GroupConvolution':
                continue
            height, width = op.input(0).get_partial_shape()[2:]
            if height.is_static and width.is_static and \
                    height.get_length() * width.get_length() == 1:
                found.append(op.get_friendly_name())
    return sorted(set(found))


class OpenVINOBackend(Backend):
    """OpenVINO IR (``.xml`` and ``.bin``) from the PyTorch model by
    ``ov.convert_model``, weights kept in float32."""

    name = 'openvino'
    suffix = '.xml'
    modules = ('openvino', )
    package = 'openvino'
    static_form = CAExportForm('avgpool', 'outer')
    calibration_methods = ('minmax', 'percentile')    # NNCF has no entropy

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

    def quantize(self, fp32_path: str, path: str,
                 inputs: Sequence[np.ndarray], options: QuantizationOptions,
                 attention_scopes: Sequence[str]) -> None:
        """NNCF's post-training quantization of the IR: FakeQuantize ops
        on activations and weights (per output channel), placed where
        OpenVINO's CPU plugin has integer kernels, then its fast bias
        correction. ``'minmax'`` takes the extremes over the calibration
        set, ``'percentile'`` the mean of each image's 0.01 and 99.99%
        quantiles; NNCF has no entropy calibration.

        Depthwise convolutions whose input is 1x1 at a calibration input's
        size stay in float (:func:`one_pixel_depthwise_convs`)."""
        import nncf
        import openvino as ov
        from nncf.quantization.advanced_parameters import \
            AdvancedQuantizationParameters
        from nncf.quantization.range_estimator import \
            RangeEstimatorParametersSet
        ranges = dict(minmax=RangeEstimatorParametersSet.MINMAX,
                      percentile=RangeEstimatorParametersSet.MEAN_QUANTILE)
        model = ov.Core().read_model(fp32_path)
        names = one_pixel_depthwise_convs(
            model, {x.shape for x in inputs})
        if options.fp32_gates:
            names += gate_ops(model, attention_scopes)
        ignored = nncf.IgnoredScope(names=names, validate=False)
        quantized = nncf.quantize(
            model, nncf.Dataset(list(inputs)), subset_size=len(inputs),
            ignored_scope=ignored,
            advanced_parameters=AdvancedQuantizationParameters(
                activations_range_estimator_params=ranges[options.method]))
        ov.save_model(quantized, path, compress_to_fp16=False)

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
