"""ONNX Runtime, CPU execution provider."""
import json
import os.path as osp
import tempfile
from typing import Dict, List, Sequence

import numpy as np
import onnx
import torch.nn as nn

from mmca.models.attention.export_form import CAExportForm
from ..onnx_export import export_onnx
from ..quantization import GATE_OP_TYPES, QuantizationOptions
from .base import Backend, Session

#: The widest channel block of ONNX Runtime's NCHWc layout (AVX-512's;
#: AVX2's is 8, a divisor): CA's mid width is padded to it.
NCHWC_BLOCK = 16


def ort_session(path: str, threads: int = 0, profile_prefix: str = None,
                optimized_path: str = None):
    """A ``CPUExecutionProvider`` session as deployed: every graph
    optimization (NCHWc layout, Conv+BN+activation fusion) on.

    Its worker threads block rather than spin between runs: a spinning pool
    of the session that ran last takes the cores from the one being timed,
    which cost a baseline 1.8x its own time at batch 1 on 2 cores
    (docs/deployment.md).
    """
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.graph_optimization_level = (
        ort.GraphOptimizationLevel.ORT_ENABLE_ALL)
    options.intra_op_num_threads = threads
    options.add_session_config_entry('session.intra_op.allow_spinning', '0')
    if profile_prefix:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    if optimized_path:
        options.optimized_model_filepath = optimized_path
        # Not its warning that an NCHWc graph is for this CPU only: the
        # saved graph is only read back to inspect it.
        options.log_severity_level = 3
    return ort.InferenceSession(path, options,
                                providers=['CPUExecutionProvider'])


def nchwc_reorders(path: str, scopes: Sequence[str]) -> Dict[str, List[str]]:
    """The layout changes ONNX Runtime's optimizer leaves in the graph:
    ``ReorderInput`` and ``ReorderOutput`` nodes, those beside a node of one
    of ``scopes`` (the exported names of modules, e.g. the CA blocks') under
    ``'inside'`` and the rest under ``'outside'``.

    A graph that stays in NCHWc end to end reorders only at its own input
    and outputs.
    """
    with tempfile.TemporaryDirectory() as tmp:
        optimized = osp.join(tmp, 'optimized.onnx')
        ort_session(path, optimized_path=optimized)
        graph = onnx.load(optimized).graph
    producer = {out: node for node in graph.node for out in node.output}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    scopes = tuple(scope + '.' for scope in scopes)

    def in_scope(node) -> bool:
        return node is not None and module_path(node.name).startswith(scopes)

    found = dict(inside=[], outside=[])
    for node in graph.node:
        if node.op_type not in ('ReorderInput', 'ReorderOutput'):
            continue
        neighbours = [producer.get(node.input[0])] + consumers.get(
            node.output[0], [])
        where = 'inside' if any(map(in_scope, neighbours)) else 'outside'
        found[where].append(node.op_type)
    return found


def module_path(node_name: str) -> str:
    """The dotted module path of a node the TorchScript exporter named (or
    ONNX Runtime renamed after it): ``/model/backbone/layer2/layer2.0/
    attention/ReduceMean`` -> ``model.backbone.layer2.0.attention.
    ReduceMean``. The exporter names a container's child by its path from
    the container's parent, after the container itself."""
    parts = [p for p in node_name.split('/') if p]
    kept = [p for p, after in zip(parts, parts[1:] + [''])
            if not after.startswith(p + '.')]
    return '.'.join(kept)


def gate_nodes(path: str, attention_scopes: Sequence[str]) -> List[str]:
    """The names of the nodes of CA's gating
    (:data:`~mmca.deployment.quantization.GATE_OP_TYPES`) inside the
    blocks ``attention_scopes`` of the ONNX graph at ``path``."""
    scopes = tuple(scope + '.' for scope in attention_scopes)
    return [node.name for node in onnx.load(path).graph.node
            if node.op_type in GATE_OP_TYPES['onnx']
            and module_path(node.name).startswith(scopes)]


class ONNXRuntimeBackend(Backend):
    """ONNX Runtime (``CPUExecutionProvider``), from an ONNX file.

    Any input size: strip means by ``ReduceMean``, one Mul by
    :math:`g^h \\otimes g^w`. ONNX Runtime keeps neither in its NCHWc
    layout, so each CA block reorders out and back. Fixed to the export
    size (``--static-shape``): ``AveragePool`` strips, gates resized to
    (H, W), mid width padded to the NCHWc block, all of which NCHWc keeps.
    """

    name = 'onnxruntime'
    suffix = '.onnx'
    modules = ('onnxruntime', )
    package = 'onnxruntime'
    static_form = CAExportForm('avgpool', 'resize', NCHWC_BLOCK)

    def export(self, model: nn.Module, path: str, input_shape: Sequence[int],
               static: bool) -> None:
        export_onnx(model, path, input_shape, dynamic=not static)

    def load(self, path: str, threads: int = 0) -> Session:
        session = ort_session(path, threads)
        return lambda x: session.run(None, {'input': x})

    def quantize(self, fp32_path: str, path: str,
                 inputs: Sequence[np.ndarray], options: QuantizationOptions,
                 attention_scopes: Sequence[str]) -> None:
        """ONNX Runtime's static quantization: QuantizeLinear and
        DequantizeLinear pairs (QDQ) around each quantized op, unsigned
        8-bit activations and signed 8-bit weights per output channel
        (U8S8); the graph is shape-inferred and optimized first
        (``quant_pre_process``), as ONNX Runtime advises. At load time ONNX
        Runtime fuses the pairs into its integer kernels (QLinearConv and
        others).

        Not signed activations (S8S8, the quantizer's default): on x86
        ONNX Runtime then left 37 of the baseline SSDLite320's convolutions
        in float, dequantizing around each, and its INT8 model ran 2x
        slower than in U8S8 (docs/deployment.md, "INT8"). U8S8 can
        saturate on x86 CPUs without VNNI, where ``reduce_range`` is the
        usual remedy; mmca's machines have VNNI.
        """
        from onnxruntime.quantization import (CalibrationDataReader,
                                              CalibrationMethod, QuantFormat,
                                              QuantType, quant_pre_process,
                                              quantize_static)

        class Reader(CalibrationDataReader):

            def __init__(self):
                self.batches = iter(inputs)

            def get_next(self):
                x = next(self.batches, None)
                return None if x is None else {'input': x}

        methods = dict(minmax=CalibrationMethod.MinMax,
                       entropy=CalibrationMethod.Entropy,
                       percentile=CalibrationMethod.Percentile)
        with tempfile.TemporaryDirectory() as tmp:
            prepared = osp.join(tmp, 'prepared.onnx')
            quant_pre_process(fp32_path, prepared)
            excluded = (gate_nodes(prepared, attention_scopes)
                        if options.fp32_gates else [])
            quantize_static(
                prepared, path, Reader(), quant_format=QuantFormat.QDQ,
                per_channel=True, activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8, nodes_to_exclude=excluded,
                calibrate_method=methods[options.method])

    def profile(self, path: str, input_shape: Sequence[int], batch: int = 1,
                threads: int = 0, runs: int = 20,
                warmup: int = 3) -> Dict[str, float]:
        """Kernel milliseconds per run by operator type of the optimized
        graph (the ``com.microsoft.nchwc`` ops included: ``ReorderInput``
        and ``ReorderOutput`` are the layout changes around ops that NCHWc
        does not cover)."""
        with tempfile.TemporaryDirectory() as tmp:
            session = ort_session(path, threads, osp.join(tmp, 'profile'))
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
