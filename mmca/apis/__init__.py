"""What the tools share: loading configs, start-up checks, building the
runner, CPU process groups and one error contract."""
from .config import (build_inference_model, config_input_size,
                     default_work_dir, load_config)
from .cpu_distributed import (replace_sync_bn, setup_cpu_distributed,
                              shutdown_distributed)
from .errors import BAD_INPUT_STATUS, InputError, run_tool
from .host_allocator import keep_freed_host_memory
from .preflight import (check_checkpoint_matches, check_datasets,
                        check_pretrained, check_task)
from .runner import build_runner

__all__ = [
    'BAD_INPUT_STATUS', 'InputError', 'build_inference_model', 'build_runner',
    'check_checkpoint_matches', 'check_datasets', 'check_pretrained',
    'check_task', 'config_input_size', 'default_work_dir',
    'keep_freed_host_memory', 'load_config', 'replace_sync_bn', 'run_tool',
    'setup_cpu_distributed', 'shutdown_distributed'
]
