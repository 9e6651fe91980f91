"""A conv module followed by an attention, the pair in every mmca block."""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule


def conv_attention(conv: ConvModule, attention: Optional[nn.Module],
                   x: torch.Tensor) -> torch.Tensor:
    """``attention(conv(x))``, or ``conv(x)`` without an attention.

    An attention whose ``applies_input_act`` is True (CoordAttention's is)
    takes the conv's output before its activation, and the activation as
    ``forward(x, input_act=...)``, and applies it as it reads x: one read
    and one write of the wide tensor less than activating it first. The
    result is the same. Any attention may declare the capability.
    """
    if (getattr(attention, 'applies_input_act', False)
            and conv.with_activation and conv.order[-1] == 'act'):
        return attention(conv(x, activate=False), input_act=conv.activate)
    out = conv(x)
    return out if attention is None else attention(out)
