"""atomic_write replaces a file whole or leaves it as it was."""
import errno
import os

import pytest

from mmca.utils import (atomic_file, atomic_write, is_temp_file,
                        remove_stale_temp_files)


def test_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / 'epoch_1.pth'
    target.write_bytes(b'old')
    atomic_write(str(target), b'new contents')
    assert target.read_bytes() == b'new contents'
    assert os.listdir(tmp_path) == ['epoch_1.pth']


def test_written_file_has_the_permissions_a_plain_open_gives(tmp_path):
    umask = os.umask(0o022)
    try:
        atomic_write(str(tmp_path / 'a'), b'x')
    finally:
        os.umask(umask)
    assert (tmp_path / 'a').stat().st_mode & 0o777 == 0o644


def test_a_full_disk_keeps_the_old_file_and_removes_the_temporary_one(
        tmp_path, monkeypatch):
    target = tmp_path / 'last_checkpoint'
    target.write_text('epoch_1.pth')

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic_file.os, 'fsync', no_space)
    with pytest.raises(OSError) as info:
        atomic_write(str(target), b'epoch_2.pth')
    assert info.value.errno == errno.ENOSPC
    assert target.read_text() == 'epoch_1.pth'
    assert os.listdir(tmp_path) == ['last_checkpoint']


def test_stale_temporary_files_are_removed_and_nothing_else(tmp_path):
    stale = tmp_path / '.epoch_3.pth.4242-0123abcd.tmp'
    stale.write_bytes(b'partial')
    keep = ['epoch_2.pth', '.hidden', 'notes.tmp', 'last_checkpoint']
    for name in keep:
        (tmp_path / name).write_bytes(b'x')
    assert is_temp_file(stale.name) and not any(map(is_temp_file, keep))
    assert remove_stale_temp_files(str(tmp_path)) == [str(stale)]
    assert sorted(os.listdir(tmp_path)) == sorted(keep)
