"""last_checkpoint names a checkpoint inside the work dir relative to it:
a copied work dir resumes from its own checkpoints."""
import shutil

import mmengine.runner.runner as mmengine_runner
import torch
from mmengine.config import Config

from mmca.engine import (find_resume_checkpoint, read_last_checkpoint,
                         write_last_checkpoint)


def test_a_checkpoint_inside_the_work_dir_is_recorded_relative_to_it(
        tmp_path):
    write_last_checkpoint(str(tmp_path), str(tmp_path / 'epoch_3.pth'))
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_3.pth'
    assert read_last_checkpoint(str(tmp_path)) == str(tmp_path /
                                                      'epoch_3.pth')
    write_last_checkpoint(str(tmp_path), str(tmp_path / 'out' / 'iter_2.pth'))
    assert (tmp_path / 'last_checkpoint').read_text() == 'out/iter_2.pth'


def test_a_checkpoint_elsewhere_and_an_old_absolute_record_stay_absolute(
        tmp_path):
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    outside = str(tmp_path / 'run_b' / 'epoch_1.pth')
    write_last_checkpoint(str(work_dir), outside)
    assert (work_dir / 'last_checkpoint').read_text() == outside
    assert read_last_checkpoint(str(work_dir)) == outside
    # as mmengine and earlier mmca wrote it
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'epoch_2.pth'))
    assert read_last_checkpoint(str(work_dir)) == str(work_dir /
                                                      'epoch_2.pth')


def test_a_copied_work_dir_resumes_from_its_own_checkpoint(tmp_path,
                                                           monkeypatch):
    original = tmp_path / 'run'
    original.mkdir()
    torch.save(dict(meta=dict(epoch=1), state_dict={}),
               original / 'epoch_1.pth')
    write_last_checkpoint(str(original), str(original / 'epoch_1.pth'))
    copy = tmp_path / 'copy'
    shutil.copytree(original, copy)
    start = find_resume_checkpoint(Config(dict(work_dir=str(copy))))
    assert start.checkpoint == str(copy / 'epoch_1.pth')
    # mmengine's own resume (resume=True without load_from) reads it too,
    # from whatever directory the run starts in
    monkeypatch.chdir(tmp_path / 'run')
    assert mmengine_runner.find_latest_checkpoint(str(copy)) == \
        str(copy / 'epoch_1.pth')
    assert mmengine_runner.find_latest_checkpoint(str(tmp_path)) is None
