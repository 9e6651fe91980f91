from .channels_last_hook import ChannelsLastHook
from .cpu_ddp import CPUDistributedDataParallel

__all__ = ['ChannelsLastHook', 'CPUDistributedDataParallel']
