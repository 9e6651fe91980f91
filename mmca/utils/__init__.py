from .safe_checkpoint import (RUNNER_CHECKPOINT_GLOBALS, UnsafeCheckpointError,
                              load_checkpoint_safely)

__all__ = [
    'RUNNER_CHECKPOINT_GLOBALS', 'UnsafeCheckpointError',
    'load_checkpoint_safely'
]
