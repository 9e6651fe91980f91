"""One training run per work dir.

Two runs writing the same ``epoch_N.pth`` and ``last_checkpoint`` corrupt
each other's resume point. tools/train.py holds an exclusive ``flock`` on
``<work dir>/train.lock`` while it trains. The kernel releases it when the
process ends, however it ends (SIGKILL, OOM killer), so a lock left behind by
a dead run never blocks the ``--resume`` that follows. The file records the
holder's pid and host for the message a second run gets, and is emptied when
the run ends. On a file system without ``flock`` the record itself is the
lock: a record of a process that still runs on this host, or of any process
on another host (which cannot be checked), refuses the second run.
"""
import errno
import fcntl
import json
import os
import os.path as osp
import socket
import time
from contextlib import contextmanager
from typing import Dict, Iterator

from mmca.utils import InputError, remove_stale_temp_files

LOCK_NAME = 'train.lock'

_HELD = (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)


@contextmanager
def lock_work_dir(work_dir: str) -> Iterator[None]:
    """Hold ``work_dir`` for this process's training run.

    Creates ``work_dir`` if needed. Once the lock is held, no other run
    writes there, so temporary files of an interrupted checkpoint write are
    removed (:func:`mmca.utils.remove_stale_temp_files`).

    Raises:
        InputError: a live run holds the lock.
    """
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, LOCK_NAME)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        _acquire(fd, path, work_dir)
    except BaseException:
        os.close(fd)
        raise
    try:
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(_holder()).encode())
        remove_stale_temp_files(work_dir)
        yield
    finally:
        os.ftruncate(fd, 0)
        os.close(fd)     # releases the flock


def _acquire(fd: int, path: str, work_dir: str) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except OSError as err:
        if err.errno in _HELD:
            raise InputError(_in_use(work_dir, _read_holder(path))) from None
        if err.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
    # a file system without flock: trust the record if its process lives
    holder = _read_holder(path)
    if holder and _is_alive(holder):
        raise InputError(
            _in_use(work_dir, holder) + f' This file system cannot lock '
            f'files: if that run has ended, delete {path}.')


def _holder() -> Dict:
    return dict(pid=os.getpid(), host=socket.gethostname(),
                started=time.strftime('%Y-%m-%d %H:%M:%S'))


def _read_holder(path: str) -> Dict:
    try:
        with open(path) as file:
            return json.load(file)
    except (OSError, ValueError):
        return {}


def _is_alive(holder: Dict) -> bool:
    """Whether the recorded process may still run (unknowable elsewhere)."""
    if holder.get('host') != socket.gethostname():
        return True
    pid = holder.get('pid')
    if not isinstance(pid, int) or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:     # alive, under another user
        return True
    return True


def _in_use(work_dir: str, holder: Dict) -> str:
    who = (f"pid {holder.get('pid')} on {holder.get('host')}, started "
           f"{holder.get('started')}" if holder else 'holder unknown')
    return (f'{work_dir} is in use by another training run ({who}): wait '
            'for it to finish or stop it, or give this run another '
            '--work-dir.')
