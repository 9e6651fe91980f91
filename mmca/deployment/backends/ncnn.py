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
from .base import Backend, Session


class NCNNBackend(Backend):
    """ncnn's ``.param`` (the graph) and ``.bin`` (float32 weights), from
    ``torch.jit.trace`` and the ``pnnx`` converter.

    ncnn runs one image at a time (its blobs have no batch axis): the model
    takes batch 1. It runs any input size its graph allows.
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
    static_form = CAExportForm('avgpool', 'broadcast')
    single_image = True
    openmp = True

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

    def load(self, path: str, threads: int = 0) -> Session:
        import ncnn
        net = ncnn.Net()
        # float32 end to end, as PyTorch: ncnn stores and computes in fp16
        # or bf16 where the CPU has them.
        for flag in ('use_fp16_packed', 'use_fp16_storage',
                     'use_fp16_arithmetic', 'use_bf16_storage'):
            setattr(net.opt, flag, False)
        net.opt.num_threads = threads or os.cpu_count()
        net.load_param(path)
        net.load_model(osp.splitext(path)[0] + '.bin')
        # pnnx names them out0, out1, ... in the model's order
        outputs = sorted(net.output_names(), key=lambda n: int(n[3:]))

        def run(x: np.ndarray):
            if x.shape[0] != 1:
                raise ValueError('ncnn runs batch 1 only')
            with net.create_extractor() as ex:
                ex.input(net.input_names()[0], ncnn.Mat(x[0]))
                return [np.array(ex.extract(name)[1])[None]
                        for name in outputs]

        return run
