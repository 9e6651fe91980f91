from .builder import ATTENTION_TYPES, build_attention
from .cbam import CBAM
from .coord_attention import CoordAttention
from .recording import GateRecord, record_gates, records_gates
from .squeeze_excitation import SqueezeExcitation

__all__ = [
    'ATTENTION_TYPES', 'build_attention', 'CBAM', 'CoordAttention',
    'GateRecord', 'record_gates', 'records_gates', 'SqueezeExcitation'
]
