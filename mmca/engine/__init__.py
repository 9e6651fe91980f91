"""What mmca adds to mmengine's training engine: the runner as the tools
build it, the hooks (:mod:`mmca.engine.hooks`), a run's lifecycle (its work
dir lock, the ``last_checkpoint`` record, the resume point, the stop
signals and the train loops that resume mid-epoch), a cheaper update step
(:mod:`mmca.engine.optim`), distributed
runs on CPU processes, and every patch of mmengine itself
(:mod:`mmca.engine.mmengine_patches`, applied on import)."""
from . import mmengine_patches  # noqa: F401  (applies them)
from .cpu_distributed import (CPUDistributedDataParallel, is_first_process,
                              replace_sync_bn, setup_cpu_distributed,
                              shutdown_distributed)
from .hooks import (AtomicCheckpointHook, ChannelsLastHook,
                    CheckpointSaveError, NonFiniteLossError, NonFiniteLossHook,
                    StopSignalHook, TrainingStopped)
from .last_checkpoint import (last_checkpoint_record, read_last_checkpoint,
                              write_last_checkpoint)
from .mmengine_patches import AtomicLocalBackend
from .optim import GroupedOptimWrapperConstructor
from .resumable_loops import (ResumableEpochBasedTrainLoop,
                              ResumableIterBasedTrainLoop, use_resumable_loops)
from .resume import (ResumePoint, find_resume_checkpoint,
                     restarted_by_scheduler, use_resumed_seed)
from .runner import build_runner, use_reliability_hooks
from .stop_signals import STOP_SIGNALS, stop_on_signals
from .work_dir_lock import lock_work_dir

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'ChannelsLastHook',
    'CheckpointSaveError', 'CPUDistributedDataParallel',
    'GroupedOptimWrapperConstructor', 'NonFiniteLossError',
    'NonFiniteLossHook', 'ResumableEpochBasedTrainLoop',
    'ResumableIterBasedTrainLoop', 'ResumePoint', 'STOP_SIGNALS',
    'StopSignalHook', 'TrainingStopped', 'build_runner',
    'find_resume_checkpoint', 'is_first_process', 'last_checkpoint_record',
    'lock_work_dir', 'read_last_checkpoint', 'replace_sync_bn',
    'restarted_by_scheduler',
    'setup_cpu_distributed', 'shutdown_distributed', 'stop_on_signals',
    'use_reliability_hooks', 'use_resumable_loops', 'use_resumed_seed',
    'write_last_checkpoint'
]
