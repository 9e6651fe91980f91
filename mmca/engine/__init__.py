from .checks import (ConfigError, check_checkpoint_matches, check_datasets,
                     check_pretrained, check_task)
from .channels_last_hook import ChannelsLastHook
from .config import (build_inference_model, build_runner, config_input_size,
                     default_work_dir, load_config)
from .cpu_distributed import (CPUDistributedDataParallel, replace_sync_bn,
                              setup_cpu_distributed, shutdown_distributed)
from .host_allocator import keep_freed_host_memory

__all__ = [
    'ChannelsLastHook', 'ConfigError', 'build_inference_model',
    'build_runner',
    'check_checkpoint_matches', 'check_datasets', 'check_pretrained',
    'check_task', 'config_input_size', 'default_work_dir',
    'keep_freed_host_memory', 'load_config',
    'CPUDistributedDataParallel', 'replace_sync_bn', 'setup_cpu_distributed',
    'shutdown_distributed'
]
