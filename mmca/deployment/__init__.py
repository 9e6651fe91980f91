"""Deployment: exports of mmca models to the inference runtimes, each with
CA in the form fastest there, checked against PyTorch."""
from .backends import BACKENDS, Backend, BackendUnavailable, nchwc_reorders
from .calibration import calibration_inputs
from .deploy import (DeploymentCheckError, deploy, export_to_backend,
                     onnx_graph_problems, parity_shapes, quantize)
from .deployed_model import DeployedModel
from .export_form import ca_export_form
from .onnx_export import TensorOutputs, export_onnx, unsupported_nodes
from .parity import compare_with_pytorch
from .quantization import (CALIBRATION_METHODS, QuantizationOptions,
                           QuantizationUnavailable, attention_scopes)

__all__ = [
    'BACKENDS', 'Backend', 'BackendUnavailable', 'CALIBRATION_METHODS',
    'DeployedModel', 'DeploymentCheckError', 'QuantizationOptions',
    'QuantizationUnavailable', 'TensorOutputs', 'attention_scopes',
    'ca_export_form', 'calibration_inputs', 'compare_with_pytorch', 'deploy',
    'export_onnx', 'export_to_backend', 'nchwc_reorders',
    'onnx_graph_problems', 'parity_shapes', 'quantize', 'unsupported_nodes'
]
