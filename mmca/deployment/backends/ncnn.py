"""ncnn, through pnnx (TorchScript to ncnn's ``.param`` and ``.bin``)."""
import os
import os.path as osp
import subprocess
import tempfile
from typing import Sequence

import numpy as np
import torch
import torch.nn as nn

from mmca.models.attention.export_form import CAExportForm
from ..ncnn_fusion import LAYER_TYPE, count_fused_layers, fuse_coord_attention
from .base import Backend, BackendUnavailable, Session


class NCNNBackend(Backend):
    """ncnn's ``.param`` (the graph) and ``.bin`` (float32 weights), from
    ``torch.jit.trace`` and the ``pnnx`` converter.

    ncnn runs one image at a time (its blobs have no batch axis): the model
    takes batch 1. It runs any input size its graph allows.

    CA blocks are exported as mmca's ``CoordAttention`` layer
    (``mmca/ops/ncnn``): one layer and two passes over x per block, where
    ncnn's stock layers take eleven and six (docs/deployment.md). Loading
    such a file here builds the layer for the ncnn wheel on first use
    (:func:`~mmca.ops.ncnn_layers.load_ncnn_layers`); an ncnn application
    registers it from the same sources.
    """

    name = 'ncnn'
    suffix = '.param'
    modules = ('ncnn', 'pnnx')
    package = 'ncnn pnnx'
    no_int8_reason = (
        "ncnn's INT8 tools (ncnn2table, ncnn2int8) come with "
        'its C++ build, not with the ncnn and pnnx wheels, and '
        'pnnx converts to fp32 or fp16 only')
    batches = False
    dynamic_form = CAExportForm('mean', 'broadcast', fused=True)
    static_form = CAExportForm('avgpool', 'broadcast', fused=True)
    single_image = True
    openmp = True
    fuses_attention = True

    def export(self, model: nn.Module, path: str, input_shape: Sequence[int],
               static: bool) -> None:
        import pnnx
        if input_shape[0] != 1:
            raise ValueError('ncnn runs batch 1 only')
        model.eval()
        # pnnx runs in a temporary folder, so a relative path would land there
        stem = osp.splitext(osp.abspath(path))[0]
        with tempfile.TemporaryDirectory() as tmp:
            traced_path = osp.join(tmp, 'model.pt')
            with torch.no_grad():
                torch.jit.trace(model, torch.randn(*input_shape)).save(
                    traced_path)
            shape = ','.join(map(str, input_shape))
            # fp16=0: ncnn's weights in float32, as PyTorch's.
            command = [pnnx.EXEC_PATH, traced_path, f'inputshape=[{shape}]f32',
                       'fp16=0', f'ncnnparam={stem}.param',
                       f'ncnnbin={stem}.bin',
                       'ncnnpy=' + osp.join(tmp, 'n.py'),
                       'pnnxparam=' + osp.join(tmp, 'p.param'),
                       'pnnxbin=' + osp.join(tmp, 'p.bin'),
                       'pnnxpy=' + osp.join(tmp, 'p.py'),
                       'pnnxonnx=' + osp.join(tmp, 'p.onnx')]
            result = subprocess.run(command, cwd=tmp, capture_output=True,
                                    text=True)
            if result.returncode:
                raise RuntimeError('pnnx failed: ' +
                                   result.stderr.strip().splitlines()[-1])
            if not osp.isfile(f'{stem}.param'):
                raise RuntimeError(f'pnnx wrote no {stem}.param')

    def fuse_attention(self, path: str) -> int:
        return fuse_coord_attention(path)

    def fused_blocks(self, path: str) -> int:
        return count_fused_layers(path)

    def load(self, path: str, threads: int = 0) -> Session:
        import ncnn
        net = ncnn.Net()
        # the layers ncnn creates live as long as the session
        layers = []
        if self.fused_blocks(path):
            from mmca.ops.ncnn_layers import (NCNNLayersUnavailable,
                                              load_ncnn_layers)
            try:
                module = load_ncnn_layers()
            except NCNNLayersUnavailable as err:
                raise BackendUnavailable(
                    f'{path} holds mmca\'s fused CoordAttention layers, '
                    f'which need building here: {err}') from err

            def create():
                layers.append(module.CoordAttention())
                return layers[-1]

            net.register_custom_layer(LAYER_TYPE, create, lambda layer: None)
        # float32 end to end, as PyTorch: ncnn stores and computes in fp16
        # or bf16 where the CPU has them.
        for flag in ('use_fp16_packed', 'use_fp16_storage',
                     'use_fp16_arithmetic', 'use_bf16_storage'):
            setattr(net.opt, flag, False)
        net.opt.num_threads = threads or os.cpu_count()
        if net.load_param(path) or net.load_model(
                osp.splitext(path)[0] + '.bin'):
            raise RuntimeError(f'ncnn could not load {path} and its .bin')
        # pnnx names them out0, out1, ... in the model's order
        outputs = sorted(net.output_names(), key=lambda n: int(n[3:]))

        def run(x: np.ndarray):
            if x.shape[0] != 1:
                raise ValueError('ncnn runs batch 1 only')
            with net.create_extractor() as ex:
                ex.input(net.input_names()[0], ncnn.Mat(x[0]))
                return [np.array(ex.extract(name)[1])[None]
                        for name in outputs]

        # ncnn holds its layers by raw pointer: the session keeps them
        run.ncnn_layers = layers
        return run
