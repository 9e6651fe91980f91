"""MNN, from ONNX through MNN's converter."""
import os
import os.path as osp
import tempfile
import time
from typing import Dict, Sequence

import numpy as np
import torch.nn as nn

from mmca.models.attention.export_form import CAExportForm
from ..onnx_export import export_onnx
from .base import Backend, Session


def mnn_session(path: str, threads: int = 0):
    """An interpreter and a CPU session in float32 (``precision='high'``:
    MNN computes in fp16 or bf16 where the CPU has them otherwise)."""
    import MNN
    interpreter = MNN.Interpreter(path)
    interpreter.setCacheFile('')
    session = interpreter.createSession(
        {'backend': 'CPU', 'precision': 'high',
         'numThread': threads or os.cpu_count()})
    return interpreter, session


class MNNBackend(Backend):
    """An ``.mnn`` file converted from the ONNX export by MNN's own
    converter (``mnnconvert -f ONNX``), weights in float32."""

    name = 'mnn'
    suffix = '.mnn'
    modules = ('MNN', )
    package = 'MNN'
    no_int8_reason = (
        "MNN's mnnquant calibrates on images it reads and "
        "normalises itself, not through the config's test "
        'pipeline; not wired here yet')
    static_form = CAExportForm('avgpool', 'outer')
    openmp = True

    def export(self, model: nn.Module, path: str, input_shape: Sequence[int],
               static: bool) -> None:
        import _tools  # MNN's converter, the module behind mnnconvert
        with tempfile.TemporaryDirectory() as tmp:
            onnx_path = osp.join(tmp, 'model.onnx')
            export_onnx(model, onnx_path, input_shape, dynamic=not static)
            _tools.mnnconvert(['mnnconvert', '-f', 'ONNX', '--modelFile',
                               onnx_path, '--MNNModel', path, '--bizCode',
                               'mmca'])
        if not osp.isfile(path):
            raise RuntimeError('mnnconvert wrote no model (its log above)')

    def load(self, path: str, threads: int = 0) -> Session:
        import MNN
        interpreter, session = mnn_session(path, threads)
        input_tensor = interpreter.getSessionInput(session)
        shape = [None]

        def run(x: np.ndarray):
            if shape[0] != x.shape:
                interpreter.resizeTensor(input_tensor, x.shape)
                interpreter.resizeSession(session)
                shape[0] = x.shape
            host = MNN.Tensor(x.shape, MNN.Halide_Type_Float,
                              np.ascontiguousarray(x),
                              MNN.Tensor_DimensionType_Caffe)
            input_tensor.copyFrom(host)
            interpreter.runSession(session)
            outputs = interpreter.getSessionOutputAll(session)
            results = []
            for name in sorted(outputs, key=lambda n: int(n.split('_')[-1])):
                out = outputs[name]
                copy = MNN.Tensor(out.getShape(), MNN.Halide_Type_Float,
                                  MNN.Tensor_DimensionType_Caffe)
                out.copyToHostTensor(copy)
                results.append(np.array(copy.getData(), dtype=np.float32)
                               .reshape(out.getShape()))
            return results

        return run

    def profile(self, path: str, input_shape: Sequence[int], batch: int = 1,
                threads: int = 0, runs: int = 20,
                warmup: int = 3) -> Dict[str, float]:
        """Milliseconds per run by operator type, timed between MNN's
        per-operator callbacks."""
        import MNN
        interpreter, session = mnn_session(path, threads)
        input_tensor = interpreter.getSessionInput(session)
        interpreter.resizeTensor(input_tensor, (batch, 3, *input_shape))
        interpreter.resizeSession(session)
        totals, started = {}, [0.]

        def begin(tensors, op):
            started[0] = time.perf_counter()
            return True

        def end(tensors, op):
            ms = (time.perf_counter() - started[0]) * 1e3 / runs
            totals[op.getType()] = totals.get(op.getType(), 0.) + ms
            return True

        for _ in range(warmup):
            interpreter.runSession(session)
        totals.clear()
        for _ in range(runs):
            interpreter.runSessionWithCallBackInfo(session, begin, end)
        del MNN
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))
