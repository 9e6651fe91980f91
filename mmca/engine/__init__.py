from .atomic_checkpoint_hook import (AtomicCheckpointHook, AtomicLocalBackend,
                                     CheckpointSaveError)
from .channels_last_hook import ChannelsLastHook
from .cpu_ddp import CPUDistributedDataParallel
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'ChannelsLastHook',
    'CheckpointSaveError', 'CPUDistributedDataParallel', 'NonFiniteLossError',
    'NonFiniteLossHook'
]
