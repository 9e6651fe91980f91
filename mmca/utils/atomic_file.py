"""Write a file so that readers see the old contents or the new, never a part.

The bytes go to a temporary file beside the target (same directory, hence
same file system), are flushed and fsynced, and then ``os.replace`` swaps
the name over in one step. A crash, a SIGKILL or a full disk before the swap
leaves the target as it was, plus at most a temporary file that
:func:`remove_stale_temp_files` clears on the next run.
"""
import os
import os.path as osp
import re
import secrets
from typing import BinaryIO, Callable, List

#: Temporary files are ``.<target name>.<pid>-<8 hex>.tmp``: hidden, and
#: recognisable as ours.
_TEMP_NAME = re.compile(r'^\..+\.\d+-[0-9a-f]{8}\.tmp$')


def temp_path_for(path: str) -> str:
    """A fresh temporary path beside ``path``, named as :data:`_TEMP_NAME`."""
    directory, name = osp.split(osp.abspath(path))
    return osp.join(directory,
                    f'.{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp')


def is_temp_file(name: str) -> bool:
    """Whether the base name ``name`` is one of :func:`atomic_write`'s."""
    return bool(_TEMP_NAME.match(name))


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` by ``data`` in one step (see the module docstring).

    Raises:
        OSError: writing failed (``ENOSPC`` when the disk is full); ``path``
            is untouched and the temporary file removed.
    """
    atomic_write_with(path, lambda file: file.write(data))


def atomic_write_with(path: str, write: Callable[[BinaryIO], object]) -> None:
    """Replace ``path`` by what ``write(file)`` writes, in one step.

    As :func:`atomic_write`, for contents streamed into the open temporary
    file (``torch.save(obj, file)``) rather than held whole in memory first.

    Raises:
        OSError: writing failed; ``path`` is untouched and the temporary
            file removed. An exception of ``write`` does the same.
    """
    temp = temp_path_for(path)
    # O_EXCL: never write through someone else's file; 0o666 less the
    # umask gives the permissions a plain open() would
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, 'wb') as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        if osp.exists(temp):
            os.remove(temp)
        raise
    _fsync_directory(osp.dirname(osp.abspath(path)))


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (a power cut may otherwise undo it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:     # some file systems cannot fsync a directory
        pass
    finally:
        os.close(fd)


def remove_stale_temp_files(directory: str) -> List[str]:
    """Remove temporary files a killed writer left in ``directory``.

    Only call it while no other process writes there (tools/train.py holds
    the work dir lock). Returns the removed paths.
    """
    if not osp.isdir(directory):
        return []
    removed = []
    for name in sorted(os.listdir(directory)):
        if is_temp_file(name):
            path = osp.join(directory, name)
            os.remove(path)
            removed.append(path)
    return removed
