from .atomic_file import (atomic_write, atomic_write_with, is_temp_file,
                          remove_stale_temp_files)
from .host_allocator import keep_freed_host_memory
from .input_error import InputError, config_built
from .memory import rss_bytes, rss_over_calls
from .safe_checkpoint import (RUNNER_CHECKPOINT_GLOBALS, BrokenCheckpointError,
                              UnsafeCheckpointError, load_checkpoint_safely)
from .state_dict import (StateDictMismatch, compare_state_dicts, load_weights,
                         select_prefix, unwrap_state_dict)

__all__ = [
    'atomic_write', 'atomic_write_with', 'is_temp_file',
    'remove_stale_temp_files', 'InputError', 'config_built',
    'keep_freed_host_memory',
    'RUNNER_CHECKPOINT_GLOBALS', 'BrokenCheckpointError',
    'UnsafeCheckpointError', 'load_checkpoint_safely', 'rss_bytes',
    'rss_over_calls', 'StateDictMismatch', 'compare_state_dicts',
    'load_weights', 'select_prefix', 'unwrap_state_dict'
]
