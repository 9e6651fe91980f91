import warnings

import mmengine
import pytest
from mmengine.fileio import get_file_backend
from mmengine.runner.checkpoint import CheckpointLoader

from mmca.engine import (mmengine_patches, read_last_checkpoint,
                         write_last_checkpoint)
from mmca.utils import load_checkpoint_safely


def test_import_registers_the_backend_and_the_safe_loader(tmp_path):
    backend = get_file_backend(
        backend_args=dict(backend=mmengine_patches.ATOMIC_BACKEND))
    assert isinstance(backend, mmengine_patches.AtomicLocalBackend)
    backend.put_text('text', tmp_path / 'a' / 'file.txt')
    assert (tmp_path / 'a' / 'file.txt').read_text() == 'text'
    assert CheckpointLoader._get_checkpoint_loader(
        str(tmp_path / 'x.pth')) is load_checkpoint_safely


def test_another_mmengine_is_warned_of_once_naming_both(monkeypatch):
    monkeypatch.setattr(mmengine, '__version__', '0.10.4')
    with pytest.warns(UserWarning) as record:
        mmengine_patches._warn_on_other_mmengine()
    assert len(record) == 1
    message = str(record[0].message)
    assert '0.10.4' in message and mmengine_patches.WRITTEN_AGAINST in message
    monkeypatch.setattr(mmengine, '__version__',
                        mmengine_patches.WRITTEN_AGAINST)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        mmengine_patches._warn_on_other_mmengine()


def test_the_last_checkpoint_record_reads_back_what_was_written(tmp_path):
    assert read_last_checkpoint(str(tmp_path)) is None
    (tmp_path / 'last_checkpoint').write_text('')
    assert read_last_checkpoint(str(tmp_path)) is None
    write_last_checkpoint(str(tmp_path), '/runs/a/epoch_3.pth')
    assert (tmp_path / 'last_checkpoint').read_text() == '/runs/a/epoch_3.pth'
    assert read_last_checkpoint(str(tmp_path)) == '/runs/a/epoch_3.pth'
