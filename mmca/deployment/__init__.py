from .onnx_export import (TensorOutputs, compare_with_onnxruntime,
                          export_onnx, unsupported_nodes)

__all__ = [
    'TensorOutputs', 'compare_with_onnxruntime', 'export_onnx',
    'unsupported_nodes'
]
