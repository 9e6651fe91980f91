"""What the tools share: loading configs, start-up checks, building the
runner, CPU process groups, one error contract, and the work dir lock and
resume point of a training run."""
from .checked_data import use_checked_loading
from .config import (build_inference_model, config_input_size,
                     default_work_dir, load_config)
from .cpu_distributed import (replace_sync_bn, setup_cpu_distributed,
                              shutdown_distributed)
from .errors import BAD_INPUT_STATUS, RUN_STOPPED_STATUS, InputError, run_tool
from .host_allocator import keep_freed_host_memory
from .image import load_inference_model, load_test_image
from .preflight import (check_checkpoint_matches, check_datasets,
                        check_pretrained, check_task)
from .resume import ResumePoint, find_resume_checkpoint
from .runner import build_runner, use_reliability_hooks
from .work_dir_lock import lock_work_dir

__all__ = [
    'BAD_INPUT_STATUS', 'RUN_STOPPED_STATUS', 'InputError', 'ResumePoint',
    'build_inference_model', 'build_runner', 'check_checkpoint_matches',
    'check_datasets', 'check_pretrained', 'check_task', 'config_input_size',
    'default_work_dir', 'find_resume_checkpoint', 'keep_freed_host_memory',
    'load_config', 'load_inference_model', 'load_test_image',
    'lock_work_dir', 'replace_sync_bn', 'run_tool',
    'setup_cpu_distributed', 'shutdown_distributed', 'use_checked_loading',
    'use_reliability_hooks'
]
