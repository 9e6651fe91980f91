from .coord_attention_ops import (coord_attention_inference,
                                  coord_attention_training, coord_gate,
                                  coord_gate_reference, fuses_inference,
                                  fuses_training, is_exporting, strip_mean,
                                  strip_mean_reference, takes_input_act,
                                  use_fused_ops)
from .extension import load_ops

__all__ = [
    'coord_attention_inference', 'coord_attention_training', 'coord_gate',
    'coord_gate_reference', 'fuses_inference', 'fuses_training',
    'is_exporting', 'load_ops',
    'strip_mean', 'strip_mean_reference', 'takes_input_act', 'use_fused_ops'
]
