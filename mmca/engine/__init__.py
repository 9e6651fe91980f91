"""What mmca adds to mmengine's training engine: the runner as the tools
build it, the hooks (:mod:`mmca.engine.hooks`), a run's lifecycle (its work
dir lock, the ``last_checkpoint`` record, the resume point), distributed
runs on CPU processes, and every patch of mmengine itself
(:mod:`mmca.engine.mmengine_patches`, applied on import)."""
from . import mmengine_patches  # noqa: F401  (applies them)
from .cpu_distributed import (CPUDistributedDataParallel, is_first_process,
                              replace_sync_bn, setup_cpu_distributed,
                              shutdown_distributed)
from .hooks import (AtomicCheckpointHook, ChannelsLastHook,
                    CheckpointSaveError, NonFiniteLossError, NonFiniteLossHook)
from .last_checkpoint import (last_checkpoint_record, read_last_checkpoint,
                              write_last_checkpoint)
from .mmengine_patches import AtomicLocalBackend
from .resume import ResumePoint, find_resume_checkpoint
from .runner import build_runner, use_reliability_hooks
from .work_dir_lock import lock_work_dir

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'ChannelsLastHook',
    'CheckpointSaveError', 'CPUDistributedDataParallel', 'NonFiniteLossError',
    'NonFiniteLossHook', 'ResumePoint', 'build_runner',
    'find_resume_checkpoint', 'is_first_process', 'last_checkpoint_record',
    'lock_work_dir', 'read_last_checkpoint', 'replace_sync_bn',
    'setup_cpu_distributed', 'shutdown_distributed',
    'use_reliability_hooks', 'write_last_checkpoint'
]
