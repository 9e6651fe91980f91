from .block import (BLOCK_SHAPES, EVAL_GOALS, TRAIN_GOALS,
                    benchmark_block_eval, benchmark_block_train)
from .kernels import KERNELS, benchmark_kernels
from .model import benchmark_deployed_models, benchmark_models
from .timing import saved_activation_bytes, time_side_by_side

__all__ = [
    'BLOCK_SHAPES', 'EVAL_GOALS', 'TRAIN_GOALS', 'benchmark_block_eval',
    'benchmark_block_train', 'benchmark_kernels', 'benchmark_models',
    'benchmark_deployed_models',
    'KERNELS',
    'saved_activation_bytes', 'time_side_by_side'
]
