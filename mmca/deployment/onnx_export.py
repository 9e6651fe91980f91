"""ONNX export of mmca models up to their raw outputs.

What is exported is the network (``mode='tensor'``): SSDLite's per-level
class scores and box deltas, DeepLabV3's logits at 1/8 (or 1/16) of the
input. Anchor decoding, softmax and NMS (mmdet's ``predict_by_feat``) and
the resize of the logits to the image with argmax (mmseg's ``predict``)
stay in Python.
"""
from typing import List, Sequence

import onnx
import torch
import torch.nn as nn

#: ONNX ops that betray a pooling fixed at the traced size (what
#: ``AdaptiveAvgPool2d((None, 1))`` in the released CA block exports to) or
#: an op ONNX runtimes cannot run.
FIXED_SIZE_OR_FOREIGN_OPS = ('AveragePool', 'MaxPool', 'ATen')


class TensorOutputs(nn.Module):
    """A model or backbone as a function of one image batch (N, 3, H, W)
    returning a flat tuple of tensors."""

    def __init__(self, model: nn.Module, backbone_only: bool = False) -> None:
        super().__init__()
        self.model = model.backbone if backbone_only else model
        self.backbone_only = backbone_only

    def forward(self, x: torch.Tensor) -> tuple:
        outputs = self.model(x) if self.backbone_only else self.model(
            x, mode='tensor')
        return tuple(flatten(outputs))


def flatten(outputs) -> List[torch.Tensor]:
    if isinstance(outputs, torch.Tensor):
        return [outputs]
    return [t for item in outputs for t in flatten(item)]


def export_onnx(model: nn.Module, path: str, input_shape: Sequence[int],
                opset: int = 17, dynamic: bool = True) -> List[str]:
    """Export with dynamic batch, height and width (fixed to
    ``input_shape`` unless ``dynamic``); the output names."""
    model.eval()
    x = torch.randn(*input_shape)
    with torch.no_grad():
        num_outputs = len(model(x))
    names = [f'output_{i}' for i in range(num_outputs)]
    axes = None
    if dynamic:
        axes = {'input': {0: 'batch', 2: 'height', 3: 'width'}}
        axes.update({n: {0: 'batch', 2: f'{n}_h', 3: f'{n}_w'}
                     for n in names})
    torch.onnx.export(model, (x, ), path, input_names=['input'],
                      output_names=names, dynamic_axes=axes,
                      opset_version=opset, dynamo=False)
    _name_symbolic_shapes(path)
    return names


def _name_symbolic_shapes(path: str) -> None:
    """Give every intermediate tensor its shape in terms of the input's
    (batch, height, width), in place.

    The exporter leaves the shapes after CA's gating Mul unnamed, so ONNX
    Runtime cannot prove that a residual Add sums two tensors of one shape;
    it then adds them in a pass of its own (Reshape, Add, Reshape) instead of
    inside the projection Conv, as it does in the baseline
    (docs/deployment.md has the cost).
    """
    from onnxruntime.tools.symbolic_shape_infer import SymbolicShapeInference
    model = SymbolicShapeInference.infer_shapes(onnx.load(path),
                                                auto_merge=True)
    onnx.save(model, path)


def unsupported_nodes(path: str, static: bool = False) -> List[str]:
    """Nodes of the exported graph that an export of its kind must not
    hold: ATen fallbacks always, and in a graph meant for any input size,
    :data:`FIXED_SIZE_OR_FOREIGN_OPS`."""
    refused = ('ATen', ) if static else FIXED_SIZE_OR_FOREIGN_OPS
    graph = onnx.load(path).graph
    return [f'{n.op_type} ({n.name})' for n in graph.node
            if n.op_type in refused]
