"""A deployed model's outputs against PyTorch's."""
from typing import Dict, Sequence

import numpy as np
import torch
import torch.nn as nn

from .backends import Session


def compare_with_pytorch(model: nn.Module, session: Session,
                         input_shapes: Sequence[Sequence[int]]) -> Dict:
    """Per input shape (``'NxCxHxW'``): the max abs difference of the
    runtime's outputs against PyTorch's (``max_abs_diff``) and the largest
    PyTorch output magnitude it compares with (``max_abs_output``).

    Raises:
        RuntimeError: the runtime gives other outputs or shapes.
    """
    model.eval()
    diffs = {}
    generator = torch.Generator().manual_seed(0)
    for shape in input_shapes:
        x = torch.randn(*shape, generator=generator)
        with torch.no_grad():
            want = [t.numpy() for t in model(x)]
        got = session(x.numpy())
        if len(got) != len(want):
            raise RuntimeError(f'the runtime gives {len(got)} outputs where '
                               f'PyTorch gives {len(want)}')
        for w, g in zip(want, got):
            if w.shape != tuple(g.shape):
                raise RuntimeError(f'the runtime gives {tuple(g.shape)} where '
                                   f'PyTorch gives {w.shape} at {shape}')
        diffs['x'.join(map(str, shape))] = dict(
            max_abs_diff=max(
                float(np.abs(w - g).max()) for w, g in zip(want, got)),
            max_abs_output=max(float(np.abs(w).max()) for w in want))
    return diffs
