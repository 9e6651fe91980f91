"""A conv module followed by an attention, the pair in every mmca block."""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule

from mmca.models.attention import CoordAttention


def conv_attention(conv: ConvModule, attention: Optional[nn.Module],
                   x: torch.Tensor) -> torch.Tensor:
    """``attention(conv(x))``, or ``conv(x)`` without an attention.

    A :class:`CoordAttention` takes the conv's activation as its
    ``input_act``, which its compiled inference op applies as it reads the
    conv's output: one read and one write of the wide tensor less than
    activating it first. The result is the same.
    """
    if (isinstance(attention, CoordAttention) and conv.with_activation
            and conv.order[-1] == 'act'):
        return attention(conv(x, activate=False), input_act=conv.activate)
    out = conv(x)
    return out if attention is None else attention(out)
