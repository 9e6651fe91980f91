"""Deployment: exports of mmca models to the inference runtimes, each with
CA in the form fastest there, checked against PyTorch."""
from .backends import BACKENDS, Backend, BackendUnavailable, nchwc_reorders
from .deploy import (DeploymentCheckError, deploy, export_to_backend,
                     onnx_graph_problems, parity_shapes)
from .export_form import ca_export_form
from .onnx_export import TensorOutputs, export_onnx, unsupported_nodes
from .parity import compare_with_pytorch

__all__ = [
    'BACKENDS', 'Backend', 'BackendUnavailable', 'DeploymentCheckError',
    'TensorOutputs', 'ca_export_form', 'compare_with_pytorch', 'deploy',
    'export_onnx', 'export_to_backend', 'nchwc_reorders',
    'onnx_graph_problems', 'parity_shapes', 'unsupported_nodes'
]
