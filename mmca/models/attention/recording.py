r"""What each attention module multiplies into its input, as its forward ran.

Every mmca attention re-weights its input by one or more gates, each
broadcastable to the input's shape (N, C, H, W), in a fixed order:

- CoordAttention: ``gate_h`` :math:`g^h` (N, C, H, 1), then ``gate_w``
  :math:`g^w` (N, C, 1, W); with one direction only that direction's; with
  ``combine='softmax'`` one ``gate`` (N, C, H, W), which does not factor;
- SqueezeExcitation: ``channel`` (N, C, 1, 1);
- CBAM: ``channel`` :math:`g^c` (N, C, 1, 1), then ``spatial``
  :math:`g^s` (N, 1, H, W);

so that the attention's output is ``x * g_1 * g_2`` (:meth:`GateRecord.apply`),
``x`` being its input after the producer's activation where the attention
applies that itself (``input_act``, see :func:`conv_attention`).

The gates are those of the forward that runs, whichever path it takes: the
compiled CPU inference op of CoordAttention copies out the gates it computed
inside C++ (the values it multiplied by), the plain path (training, other
devices and dtypes) hands over the tensors it passed to its gating op.
Recording therefore changes no output. (CoordAttention's export form,
taken while tracing or exporting to ONNX, reports no gates.)

The capability is an attribute: a module with a ``gate_recorder`` attribute
(None while not recording, one attribute test per call) can be recorded;
its forward calls ``self.gate_recorder(self, name=gate, ...)`` with the
gates in the order it applies them. Any attention may implement it.
"""
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List

import torch
import torch.nn as nn

#: What a recordable module's forward calls: the module, then its gates by
#: name, in the order it applies them.
GateRecorder = Callable[..., None]


@dataclass
class GateRecord:
    """The gates one attention module applied in one forward call.

    Attributes:
        name (str): The module's name in the recorded model
            (``named_modules``), e.g. ``backbone.layer2.0.attention``.
        module (nn.Module): The module.
        gates (dict[str, Tensor]): Its gates by name, in the order it
            multiplied them into its input, each detached and broadcastable
            to the input's (N, C, H, W).
    """

    name: str
    module: nn.Module
    gates: Dict[str, torch.Tensor]

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """``x * g_1 * g_2 ...``: the module's output for its input ``x``
        (after the producer's activation, where the module applied it)."""
        for gate in self.gates.values():
            x = x * gate
        return x


def records_gates(module: nn.Module) -> bool:
    """Whether ``module`` can report its gates (has ``gate_recorder``)."""
    return hasattr(module, 'gate_recorder')


@contextmanager
def record_gates(model: nn.Module) -> Iterator[List[GateRecord]]:
    """Record the gates of every attention module of ``model``.

    Example::

        with torch.no_grad(), record_gates(model) as records:
            model(inputs)
        for record in records:
            print(record.name, {k: g.shape for k, g in record.gates.items()})

    Args:
        model (nn.Module): Any model; its modules that have a
            ``gate_recorder`` attribute are recorded.

    Yields:
        list[GateRecord]: One record per forward call of an attention
        module inside the ``with`` block, in call order (a module called
        twice, e.g. recomputed under ``with_cp`` during backward, is
        recorded twice).
    """
    records: List[GateRecord] = []
    names = {module: name for name, module in model.named_modules()
             if records_gates(module)}

    def recorder(module: nn.Module, **gates: torch.Tensor) -> None:
        records.append(GateRecord(
            names[module], module,
            {key: gate.detach() for key, gate in gates.items()}))

    for module, name in names.items():
        if module.gate_recorder is not None:
            raise RuntimeError(f'{name or type(module).__name__} is already '
                               'being recorded')
    for module in names:
        module.gate_recorder = recorder
    try:
        yield records
    finally:
        for module in names:
            # back to the class attribute (None): no recording cost
            del module.gate_recorder
