"""--resume continues from an intact checkpoint, never from a partial one."""
import pytest
import torch
from mmengine.config import Config

from mmca.engine import find_resume_checkpoint
from mmca.utils import InputError


def save(path, step):
    torch.save(dict(meta=dict(epoch=step), state_dict={}), path)
    return str(path)


def work_dir_cfg(work_dir, **checkpoint):
    return Config(dict(work_dir=str(work_dir), default_hooks=dict(
        checkpoint=dict(type='CheckpointHook', **checkpoint))))


@pytest.fixture
def work_dir(tmp_path):
    """epoch_1 and epoch_2 intact; last_checkpoint names epoch_3."""
    for step in (1, 2):
        save(tmp_path / f'epoch_{step}.pth', step)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_3.pth'))
    return tmp_path


def test_last_checkpoint_is_taken_when_intact(work_dir):
    save(work_dir / 'epoch_3.pth', 3)
    start = find_resume_checkpoint(work_dir_cfg(work_dir))
    assert start.checkpoint == str(work_dir / 'epoch_3.pth')
    assert start.skipped == []


@pytest.mark.parametrize('state,reason', [
    ('missing', 'which does not exist'),
    ('truncated', 'which is broken: it is truncated ('),
    ('empty', 'which is broken: it is empty (0 bytes)'),
])
def test_a_broken_last_checkpoint_falls_back_to_the_newest_intact_one(
        work_dir, state, reason):
    named = work_dir / 'epoch_3.pth'
    if state != 'missing':
        save(named, 3)
        named.write_bytes(named.read_bytes()[:100] if state == 'truncated'
                          else b'')
    start = find_resume_checkpoint(work_dir_cfg(work_dir))
    assert start.checkpoint == str(work_dir / 'epoch_2.pth')
    assert len(start.skipped) == 1
    assert start.skipped[0].startswith(f'last_checkpoint names {named}, '
                                       f'{reason}')


def test_a_broken_newer_fallback_is_passed_over_too(work_dir):
    (work_dir / 'epoch_2.pth').write_bytes(b'')
    (work_dir / 'last_checkpoint').write_text('')
    start = find_resume_checkpoint(work_dir_cfg(work_dir))
    assert start.checkpoint == str(work_dir / 'epoch_1.pth')
    assert start.skipped == [
        f'{work_dir}/last_checkpoint is empty',
        f'{work_dir}/epoch_2.pth is broken: it is empty (0 bytes)']


def test_iteration_checkpoints_are_ordered_by_step_not_by_name(tmp_path):
    for step in (250, 1000, 500):
        save(tmp_path / f'iter_{step}.pth', step)
    start = find_resume_checkpoint(work_dir_cfg(tmp_path, by_epoch=False))
    assert start.checkpoint == str(tmp_path / 'iter_1000.pth')
    assert start.skipped == []     # no last_checkpoint: nothing passed over


def test_no_intact_checkpoint_is_refused_rather_than_started_over(tmp_path):
    (tmp_path / 'epoch_1.pth').write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_1.pth'))
    with pytest.raises(InputError, match=(
            f'--resume found no intact checkpoint in {tmp_path}: '
            f'last_checkpoint names {tmp_path}/epoch_1.pth, which is broken: '
            r'it is empty \(0 bytes\)\. Resume from a checkpoint of your own '
            'with --resume PATH, or start over in a new --work-dir')):
        find_resume_checkpoint(work_dir_cfg(tmp_path))


def test_an_empty_work_dir_starts_afresh(tmp_path):
    start = find_resume_checkpoint(work_dir_cfg(tmp_path / 'new'))
    assert start.checkpoint is None and start.skipped == []
