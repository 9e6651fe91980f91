"""Export a model to a runtime in the CA form fastest there, and check it;
or quantize the export to INT8."""
import os.path as osp
import tempfile
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn

from mmca.models import CoordAttention
from mmca.models.attention.export_form import CAExportForm
from .backends import Backend, nchwc_reorders
from .export_form import ca_export_form
from .onnx_export import unsupported_nodes
from .quantization import QuantizationOptions, attention_scopes


def export_to_backend(
        model: nn.Module, backend: Backend, path: str,
        input_shape: Sequence[int], static: bool = False,
        form: Optional[CAExportForm] = None) -> Tuple[CAExportForm, bool]:
    """Write ``model`` (see :class:`~mmca.deployment.TensorOutputs`) to
    ``path`` in ``backend``'s format, its CA blocks in the backend's form.

    A backend whose exports are always fixed to one size (LiteRT) is
    exported static whatever ``static`` says. ``form`` overrides the
    backend's choice (to measure another); a fixed-size form makes the
    export static.

    Returns:
        tuple: The CA form exported, and whether the graph is fixed to
        ``input_shape``.
    """
    backend.check_available()
    static = static or not backend.dynamic_shapes or bool(form and
                                                          form.static)
    form = form or backend.form(static)
    if form.fused and not backend.fuses_attention:
        raise ValueError(f'{backend.name} has no fused CA layer; give a '
                         'form without "fused"')
    with ca_export_form(form):
        backend.export(model, path, input_shape, static)
    if form.fused:
        backend.fuse_attention(path)
    return form, static


def parity_shapes(backend: Backend, input_shape: Sequence[int],
                  static: bool) -> List[Tuple[int, ...]]:
    """The export shape, and where the graph takes them, another batch size
    and input size: that the axes really are dynamic is checked too."""
    shapes = [tuple(input_shape)]
    if not static and backend.batches:
        n, c, h, w = input_shape
        shapes.append((n + 1, c, h + 32, max(w - 32, 32)))
    return shapes


def onnx_graph_problems(model: nn.Module, path: str,
                        static: bool) -> List[str]:
    """What an ONNX export for ONNX Runtime must not hold, one line each:
    fixed-size or ATen ops in a graph meant for any size
    (:func:`unsupported_nodes`), and in a fixed-size one, a layout change
    (``ReorderInput``/``ReorderOutput``) that ONNX Runtime's optimizer
    leaves beside a CA block: the static form exists to stay in NCHWc."""
    problems = [f'{op} in the graph' for op in unsupported_nodes(path, static)]
    if static:
        scopes = [name for name, m in model.named_modules()
                  if isinstance(m, CoordAttention)]
        inside = nchwc_reorders(path, scopes)['inside']
        if inside:
            problems.append(f'{len(inside)} NCHWc reorders beside CA blocks '
                            f'after ONNX Runtime\'s optimizer')
    return problems


def deploy(model: nn.Module, backend: Backend, path: str,
           input_shape: Sequence[int], static: bool = False,
           tolerance: float = 1e-4,
           form: Optional[CAExportForm] = None) -> List[str]:
    """Export (CA in ``form``, by default the runtime's), check the graph
    (ONNX Runtime), run the result in the runtime and compare it with
    PyTorch: what ``tools/deployment/export.py`` reports, one line each.

    Raises:
        DeploymentCheckError: the graph or the outputs fail a check.
    """
    from .parity import compare_with_pytorch
    form, static = export_to_backend(model, backend, path, input_shape,
                                     static, form)
    with torch.no_grad():
        num_outputs = len(model(torch.zeros(*input_shape)))
    if static:
        size = 'x'.join(map(str, input_shape))
    else:
        size = f'({"1" if backend.single_image else "batch"}, 3, height, ' \
               'width)'
    lines = [f'exported {path} for {backend.name}: input {size}, '
             f'{num_outputs} outputs; CA as {form}']
    if form.fused:
        blocks = sum(isinstance(m, CoordAttention) for m in model.modules())
        lines.append(f'{backend.fused_blocks(path)} of {blocks} CA blocks '
                     'fused (a block with one direction or the softmax '
                     'combination keeps the stock operators)')
    if backend.name == 'onnxruntime':
        problems = onnx_graph_problems(model, path, static)
        if problems:
            raise DeploymentCheckError('; '.join(problems))
        lines.append('graph check: no ATen ops' + (
            ', no NCHWc reorders beside CA blocks' if static else
            ', no fixed-size pooling'))
    diffs = compare_with_pytorch(model, backend.load(path),
                                 parity_shapes(backend, input_shape, static))
    for shape, diff in diffs.items():
        lines.append(f'{backend.name} vs PyTorch at {shape}: max abs diff '
                     f'{diff["max_abs_diff"]:.2e} (outputs up to '
                     f'{diff["max_abs_output"]:.3g})')
    worst = max(d['max_abs_diff'] for d in diffs.values())
    if worst > tolerance:
        raise DeploymentCheckError(
            f'max abs diff {worst:.2e} exceeds the tolerance {tolerance:.0e}')
    lines.append(f'ok: within {tolerance:.0e}')
    return lines


def quantize(model: nn.Module, backend: Backend, path: str,
             inputs: Sequence[np.ndarray], static: bool = False,
             options: QuantizationOptions = QuantizationOptions()
             ) -> List[str]:
    """Export ``model`` (see :class:`~mmca.deployment.TensorOutputs`) in
    fp32 as :func:`deploy` does, at the size of the calibration ``inputs``
    (each (1, 3, H, W)), quantize it to INT8 with the runtime's quantizer
    and write that to ``path``; then run it on the calibration inputs
    against PyTorch: what ``tools/deployment/quantize.py`` reports, one line
    each. INT8 is not held to a tolerance here: its metric is
    (``tools/test.py --backend``).

    Raises:
        QuantizationUnavailable: the runtime, or the method, has no INT8
            path here.
    """
    backend.check_quantization(options)
    shapes = {x.shape for x in inputs}
    if len(shapes) > 1:
        raise ValueError(f'calibration inputs of several sizes: {shapes}')
    input_shape = shapes.pop()
    with tempfile.TemporaryDirectory() as tmp:
        fp32_path = osp.join(tmp, 'fp32' + backend.suffix)
        form, static = export_to_backend(model, backend, fp32_path,
                                         input_shape, static)
        backend.quantize(fp32_path, path, inputs, options,
                         attention_scopes(model))
    size = ('x'.join(map(str, input_shape)) if static else
            '(batch, 3, height, width)')
    lines = [f'quantized {path} for {backend.name}: input {size}, CA as '
             f'{form}; {options} on {len(inputs)} images']
    session = backend.load(path)
    worst = largest = 0.
    with torch.no_grad():
        for x in inputs:
            want = [t.numpy() for t in model(torch.from_numpy(x))]
            got = session(x)
            worst = max([worst] + [float(np.abs(w - g).max())
                                   for w, g in zip(want, got)])
            largest = max([largest] + [float(np.abs(w).max())
                                       for w in want])
    lines.append(f'INT8 vs PyTorch fp32 on the calibration images: max abs '
                 f'diff {worst:.3g} (outputs up to {largest:.3g})')
    return lines


class DeploymentCheckError(Exception):
    """An exported model that fails its graph check or its parity."""
