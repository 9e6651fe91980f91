"""LiteRT (TensorFlow Lite), through litert-torch."""
import os
from typing import Sequence

import numpy as np
import torch
import torch.nn as nn

from mmca.models.attention.export_form import CAExportForm
from .base import Backend, Session


class TFLiteBackend(Backend):
    """A ``.tflite`` flatbuffer from ``litert_torch.convert`` (torch.export,
    then LiteRT's converter, which lays the graph out in NHWC), run by
    LiteRT's interpreter with its default XNNPACK delegate.

    The graph is fixed to the shape it was converted at, batch included,
    and takes NCHW input as the PyTorch model does.
    """

    name = 'tflite'
    suffix = '.tflite'
    modules = ('litert_torch', 'ai_edge_litert')
    package = 'litert-torch ai-edge-litert'
    no_int8_reason = (
        "litert-torch's PT2E full-integer quantization is not "
        'wired here yet')
    dynamic_shapes = False
    static_form = CAExportForm('mean', 'outer')

    def export(self, model: nn.Module, path: str, input_shape: Sequence[int],
               static: bool) -> None:
        import litert_torch
        model.eval()
        with torch.no_grad():
            converted = litert_torch.convert(model,
                                             (torch.randn(*input_shape), ))
        converted.export(path)

    def load(self, path: str, threads: int = 0) -> Session:
        from ai_edge_litert.interpreter import Interpreter
        interpreter = Interpreter(model_path=path,
                                  num_threads=threads or os.cpu_count())
        runner = interpreter.get_signature_runner()
        (input_name, ) = runner.get_input_details()
        outputs = sorted(runner.get_output_details(),
                         key=lambda n: int(n.split('_')[-1]))

        def run(x: np.ndarray):
            result = runner(**{input_name: x})
            return [result[name] for name in outputs]

        return run
