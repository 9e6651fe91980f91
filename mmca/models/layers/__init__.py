from .inverted_residual import InvertedResidual
from .sandglass_block import SandglassBlock

__all__ = ['InvertedResidual', 'SandglassBlock']
