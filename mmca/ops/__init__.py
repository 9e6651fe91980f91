from .coord_attention_ops import (coord_gate, coord_gate_reference,
                                  is_exporting, strip_mean,
                                  strip_mean_reference, use_fused_ops)
from .extension import load_ops

__all__ = [
    'coord_gate', 'coord_gate_reference', 'is_exporting', 'load_ops',
    'strip_mean',
    'strip_mean_reference', 'use_fused_ops'
]
