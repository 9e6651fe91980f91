"""One training run per work dir; a dead run's lock does not count."""
import errno
import json
import os
import signal
import socket
import subprocess
import sys

import pytest

from mmca.engine import lock_work_dir, work_dir_lock
from mmca.utils import InputError

HOLD = '''
import sys, time
from mmca.engine import lock_work_dir
with lock_work_dir(sys.argv[1]):
    print('locked', flush=True)
    time.sleep(600)
'''


@pytest.fixture
def holder(tmp_path):
    """A process that holds tmp_path's lock until it is SIGKILLed."""
    process = subprocess.Popen([sys.executable, '-c', HOLD, str(tmp_path)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == 'locked\n'
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


@pytest.mark.slow
def test_a_live_run_refuses_a_second_naming_its_pid_and_host(holder,
                                                             tmp_path):
    with pytest.raises(InputError) as info:
        with lock_work_dir(str(tmp_path)):
            pass
    assert str(info.value).startswith(
        f'{tmp_path} is in use by another training run (pid {holder.pid} '
        f'on {socket.gethostname()}, started ')
    assert 'another --work-dir' in str(info.value)


@pytest.mark.slow
def test_the_lock_of_a_sigkilled_run_does_not_block_the_next(holder,
                                                             tmp_path):
    stale = tmp_path / '.epoch_2.pth.99-0123abcd.tmp'
    stale.write_bytes(b'partial')
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert json.loads((tmp_path / 'train.lock').read_text())['pid'] == \
        holder.pid                                  # its record is left
    with lock_work_dir(str(tmp_path)):
        record = json.loads((tmp_path / 'train.lock').read_text())
        assert record['pid'] == os.getpid()
        assert not stale.exists()    # its half-written checkpoint is cleared
    assert (tmp_path / 'train.lock').read_text() == ''


def test_without_flock_the_record_decides(tmp_path, monkeypatch):
    def no_flock(fd, operation):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(work_dir_lock.fcntl, 'flock', no_flock)
    lock = tmp_path / 'train.lock'
    live = dict(pid=os.getppid(), host=socket.gethostname(), started='then')
    lock.write_text(json.dumps(live))
    with pytest.raises(InputError,
                       match=f'if that run has ended, delete {lock}'):
        with lock_work_dir(str(tmp_path)):
            pass

    dead = subprocess.run(
        [sys.executable, '-c', 'import os; print(os.getpid())'],
        capture_output=True, text=True)
    lock.write_text(json.dumps(dict(live, pid=int(dead.stdout))))
    with lock_work_dir(str(tmp_path)):
        assert json.loads(lock.read_text())['pid'] == os.getpid()
