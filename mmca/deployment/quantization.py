"""Post-training INT8 quantization: what a backend's quantizer is told.

A quantized model keeps the fp32 graph's inputs and outputs; inside it,
convolutions run in 8 bits on activations whose ranges were measured on
calibration images (:func:`~mmca.deployment.calibration_inputs`).

CA is a candidate for care (docs/deployment.md, "INT8"): its gates
:math:`g^h, g^w` are sigmoids whose useful values crowd near 0 and 1, and
the block multiplies x by their product. ``fp32_gates`` keeps the sigmoids,
the product and the re-weighting of x out of quantization, so that only
the convolutions around them run in 8 bits.
"""
from dataclasses import dataclass
from typing import List

import torch.nn as nn

from mmca.models import CoordAttention

#: The ways to turn calibration statistics into an activation range:
#: ``'minmax'`` (the observed extremes), ``'entropy'`` (the range whose
#: clipped histogram keeps the most information, KL-divergence) and
#: ``'percentile'`` (the 99.99th percentile of the magnitudes).
CALIBRATION_METHODS = ('minmax', 'entropy', 'percentile')

#: The op types, in each runtime's own names, that make up CA's gating:
#: sigmoid, the gates' product, their resize to (H, W), and x's
#: re-weighting.
GATE_OP_TYPES = dict(
    onnx=('Sigmoid', 'Mul', 'Resize', 'Expand'),
    openvino=('Sigmoid', 'Multiply', 'Interpolate', 'Broadcast'))


@dataclass(frozen=True)
class QuantizationOptions:
    """How to quantize (module doc).

    Args:
        method (str): One of :data:`CALIBRATION_METHODS`.
        fp32_gates (bool): Keep CA's gating ops in float.
    """

    method: str = 'minmax'
    fp32_gates: bool = False

    def __post_init__(self) -> None:
        if self.method not in CALIBRATION_METHODS:
            raise ValueError(f'method must be one of {CALIBRATION_METHODS}, '
                             f'got {self.method!r}')

    def __str__(self) -> str:
        gates = ', CA gates in fp32' if self.fp32_gates else ''
        return f'{self.method} calibration{gates}'


def attention_scopes(model: nn.Module) -> List[str]:
    """The dotted module paths of ``model``'s CA blocks, as the exporters
    name their ops (``model.backbone.layer2.0.attention``)."""
    return [name for name, module in model.named_modules()
            if isinstance(module, CoordAttention)]


class QuantizationUnavailable(Exception):
    """A runtime, or a method, without a post-training INT8 path here
    (message: why, and what to use instead)."""
