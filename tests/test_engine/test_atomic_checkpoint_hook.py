"""Checkpoints and last_checkpoint are written whole, or not at all."""
import errno
import gc
import os
import tracemalloc

import pytest
import torch
from engine_toy_run import ToyModel
from mmengine.config import Config

from mmca.engine import CheckpointSaveError, use_reliability_hooks
from mmca.utils import atomic_file, load_checkpoint_safely


def fail_fsync_of(monkeypatch, name_part, when=lambda: True,
                  error=errno.ENOSPC):
    """Make fsync fail, as a full disk does, for files whose temporary name
    holds ``name_part`` (the bytes were written; the flush to disk fails)."""
    fsync = atomic_file.os.fsync

    def failing(fd):
        if name_part in os.readlink(f'/proc/self/fd/{fd}') and when():
            raise OSError(error, os.strerror(error))
        return fsync(fd)

    monkeypatch.setattr(atomic_file.os, 'fsync', failing)


def listing(work_dir):
    return sorted(name for name in os.listdir(work_dir)
                  if name.endswith('.pth') or name.endswith('.tmp')
                  or name == 'last_checkpoint')


def test_checkpoints_are_kept_as_max_keep_ckpts_says_without_temp_files(
        toy_runner, tmp_path):
    toy_runner(tmp_path, max_epochs=3,
               checkpoint=dict(max_keep_ckpts=2)).train()
    assert listing(tmp_path) == ['epoch_2.pth', 'epoch_3.pth',
                                 'last_checkpoint']
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_3.pth'
    assert load_checkpoint_safely(str(tmp_path / 'epoch_3.pth'))['meta'][
        'epoch'] == 3


def test_a_full_disk_stops_training_and_keeps_the_previous_checkpoint(
        toy_runner, tmp_path, monkeypatch):
    # max_keep_ckpts=1: mmengine's hook deletes epoch_1.pth before writing
    # epoch_2.pth, and a failed write then leaves no checkpoint at all
    fail_fsync_of(monkeypatch, 'epoch_2.pth')
    with pytest.raises(CheckpointSaveError) as info:
        toy_runner(tmp_path, max_epochs=3,
                   checkpoint=dict(max_keep_ckpts=1)).train()
    message = str(info.value)
    assert f'could not save {tmp_path}/epoch_2.pth: the disk is full (' in \
        message
    assert f'{tmp_path}/epoch_1.pth and last_checkpoint are kept' in message
    assert '\n' not in message
    assert listing(tmp_path) == ['epoch_1.pth', 'last_checkpoint']
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_1.pth'
    assert load_checkpoint_safely(str(tmp_path / 'epoch_1.pth'))['meta'][
        'epoch'] == 1


def test_a_failed_last_checkpoint_write_keeps_the_checkpoint_it_names(
        toy_runner, tmp_path, monkeypatch):
    fail_fsync_of(monkeypatch, 'last_checkpoint', error=errno.EDQUOT,
                  when=lambda: (tmp_path / 'epoch_2.pth').exists())
    with pytest.raises(CheckpointSaveError,
                       match='last_checkpoint: the disk quota is exceeded'):
        toy_runner(tmp_path, max_epochs=3,
                   checkpoint=dict(max_keep_ckpts=1)).train()
    # epoch_2.pth is whole but not yet recorded; epoch_1.pth is not deleted
    # before last_checkpoint stops naming it
    assert listing(tmp_path) == ['epoch_1.pth', 'epoch_2.pth',
                                 'last_checkpoint']
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_1.pth'


def test_resume_continues_from_an_atomic_checkpoint(toy_runner, tmp_path):
    toy_runner(tmp_path, max_epochs=1).train()
    runner = toy_runner(tmp_path, max_epochs=2, resume=True)
    runner.train()
    assert runner.epoch == 2
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_2.pth'


def test_build_runner_adds_the_atomic_loss_and_stop_hooks():
    cfg = Config(dict(
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1)),
        custom_hooks=[dict(type='ChannelsLastHook')]))
    use_reliability_hooks(cfg)
    use_reliability_hooks(cfg)      # idempotent
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
    assert [hook['type'] for hook in cfg.custom_hooks] == \
        ['ChannelsLastHook', 'NonFiniteLossHook', 'StopSignalHook']

    own = Config(dict(default_hooks=dict(checkpoint=dict(type='MyHook'))))
    use_reliability_hooks(own)
    assert own.default_hooks.checkpoint.type == 'MyHook'


class BigToyModel(ToyModel):
    """The toy model with 16 MiB more in each checkpoint."""

    def __init__(self):
        super().__init__()
        self.register_buffer('table', torch.arange(2.0**22))


def traced_peak(run) -> int:
    """Peak of the Python allocations ``run()`` makes, in bytes (tracemalloc
    sees io.BytesIO and bytes, not tensor storage)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_save_streams_the_checkpoint_instead_of_copying_it_in_memory(
        toy_runner, tmp_path):
    ours = toy_runner(tmp_path / 'ours', max_epochs=1, model=BigToyModel())
    peak = traced_peak(ours.train)
    saved = tmp_path / 'ours' / 'epoch_1.pth'
    size = saved.stat().st_size
    assert size > 2**24
    assert peak < size / 8
    assert torch.equal(load_checkpoint_safely(str(saved))['state_dict'][
        'table'], torch.arange(2.0**22))
    # mmengine's own hook holds the whole checkpoint in an io.BytesIO
    mmengine_hook = toy_runner(tmp_path / 'mmengine', max_epochs=1,
                               model=BigToyModel(),
                               checkpoint=dict(type='CheckpointHook'))
    assert traced_peak(mmengine_hook.train) > size


def garbage_left_by(run) -> int:
    """Objects in reference cycles that ``run()`` leaves for the collector
    (automatic collection off while it runs)."""
    gc.collect()
    gc.disable()
    try:
        run()
        return gc.collect()
    finally:
        gc.enable()


def test_a_save_frees_its_reference_cycles_at_once(toy_runner, tmp_path):
    # the last thing of the run is the save of epoch 1, which formats the
    # config with yapf (parse trees are reference cycles)
    ours = toy_runner(tmp_path / 'ours', max_epochs=1)
    mmengine_hook = toy_runner(tmp_path / 'mmengine', max_epochs=1,
                               checkpoint=dict(type='CheckpointHook'))
    assert garbage_left_by(mmengine_hook.train) > 100   # 187 here
    assert garbage_left_by(ours.train) < 20              # 0 here
