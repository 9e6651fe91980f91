"""The inference runtimes mmca exports to, by ``--backend`` name."""
from typing import Dict

from .base import Backend, BackendUnavailable, Session
from .mnn import MNNBackend
from .ncnn import NCNNBackend
from .onnxruntime import ONNXRuntimeBackend, nchwc_reorders, ort_session
from .openvino import OpenVINOBackend
from .tflite import TFLiteBackend

BACKENDS: Dict[str, Backend] = {
    backend.name: backend
    for backend in (ONNXRuntimeBackend(), OpenVINOBackend(), NCNNBackend(),
                    MNNBackend(), TFLiteBackend())
}

__all__ = [
    'BACKENDS', 'Backend', 'BackendUnavailable', 'Session', 'nchwc_reorders',
    'ort_session'
]
