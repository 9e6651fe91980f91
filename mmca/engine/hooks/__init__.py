from .atomic_checkpoint_hook import AtomicCheckpointHook, CheckpointSaveError
from .channels_last_hook import ChannelsLastHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .stop_signal_hook import StopSignalHook, TrainingStopped

__all__ = [
    'AtomicCheckpointHook', 'ChannelsLastHook', 'CheckpointSaveError',
    'NonFiniteLossError', 'NonFiniteLossHook', 'StopSignalHook',
    'TrainingStopped'
]
