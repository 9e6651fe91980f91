from .block import (BLOCK_SHAPES, EVAL_GOALS, TRAIN_GOALS,
                    benchmark_block_eval, benchmark_block_train)
from .deployed import benchmark_in_runtime, int8_name
from .kernels import KERNELS, benchmark_kernels
from .model import benchmark_deployed_models, benchmark_models
from .report import (block_eval_table, block_train_table, int8_table,
                     kernels_table, models_table, plot_block, plot_models,
                     profiles_table, update_step_table)
from .timing import saved_activation_bytes, time_side_by_side
from .update_step import UPDATE_STEP_PAIRS, benchmark_update_step

__all__ = [
    'BLOCK_SHAPES', 'EVAL_GOALS', 'TRAIN_GOALS', 'benchmark_block_eval',
    'benchmark_block_train', 'benchmark_kernels', 'benchmark_models',
    'benchmark_deployed_models', 'benchmark_in_runtime',
    'KERNELS', 'int8_name', 'int8_table',
    'block_eval_table', 'block_train_table', 'kernels_table',
    'models_table', 'plot_block', 'plot_models', 'profiles_table',
    'saved_activation_bytes', 'time_side_by_side', 'UPDATE_STEP_PAIRS',
    'benchmark_update_step', 'update_step_table'
]
