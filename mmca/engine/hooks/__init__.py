from .atomic_checkpoint_hook import AtomicCheckpointHook, CheckpointSaveError
from .channels_last_hook import ChannelsLastHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook

__all__ = [
    'AtomicCheckpointHook', 'ChannelsLastHook', 'CheckpointSaveError',
    'NonFiniteLossError', 'NonFiniteLossHook'
]
