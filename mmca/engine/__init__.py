"""What mmca adds to mmengine's training engine: the hooks
(:mod:`mmca.engine.hooks`), the CPU model wrapper, the ``last_checkpoint``
record, and every patch of mmengine itself
(:mod:`mmca.engine.mmengine_patches`, applied on import)."""
from . import mmengine_patches  # noqa: F401  (applies them)
from .cpu_ddp import CPUDistributedDataParallel
from .hooks import (AtomicCheckpointHook, ChannelsLastHook,
                    CheckpointSaveError, NonFiniteLossError,
                    NonFiniteLossHook)
from .last_checkpoint import (last_checkpoint_record, read_last_checkpoint,
                              write_last_checkpoint)
from .mmengine_patches import AtomicLocalBackend

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'ChannelsLastHook',
    'CheckpointSaveError', 'CPUDistributedDataParallel', 'NonFiniteLossError',
    'NonFiniteLossHook', 'last_checkpoint_record', 'read_last_checkpoint',
    'write_last_checkpoint'
]
