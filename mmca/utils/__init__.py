from .safe_checkpoint import (RUNNER_CHECKPOINT_GLOBALS, UnsafeCheckpointError,
                              load_checkpoint_safely)
from .state_dict import (StateDictMismatch, compare_state_dicts,
                         load_weights, select_prefix, unwrap_state_dict)

__all__ = [
    'RUNNER_CHECKPOINT_GLOBALS', 'UnsafeCheckpointError',
    'load_checkpoint_safely', 'StateDictMismatch', 'compare_state_dicts',
    'load_weights', 'select_prefix', 'unwrap_state_dict'
]
