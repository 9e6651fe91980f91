"""Running a tool as a user does, and reading what it reports.

Every test that starts a tool (``python tools/....py``) goes through
:func:`run_tool`, and every test of bad input reads the tool's report with
:func:`error_line`, which holds the whole contract of
:func:`mmca.cli.run_tool`: the exit status, no traceback, and exactly one
``error:`` line. pytest's default import mode puts ``tests/`` on
``sys.path`` (for its ``conftest.py``), so test modules import this as
``from tool_process import run_tool, error_line``.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from typing import Optional, Sequence

from mmca.cli import BAD_INPUT_STATUS

FORK_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'tool_fork_server.py')


class ToolForkServer:
    """This worker's :mod:`tool_fork_server`, started at the first tool run.

    Tools run as forks of it, each in a process of its own with the stack
    already imported; see that module for what a child keeps of a fresh
    ``python SCRIPT``.
    """

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, FORK_SERVER], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, bufsize=1)
        assert self.read()['ready']

    def read(self) -> dict:
        line = self.process.stdout.readline()
        assert line, f'the tool fork server died ({self.process.poll()})'
        return json.loads(line)

    def run(self, args: Sequence[str], cwd: str,
            timeout: Optional[float] = None) -> subprocess.CompletedProcess:
        with tempfile.TemporaryDirectory() as streams:
            out, err = (os.path.join(streams, name) for name in ('out', 'err'))
            for path in (out, err):
                open(path, 'w').close()
            self.process.stdin.write(json.dumps(dict(
                argv=list(args), cwd=str(cwd), env=dict(os.environ),
                stdout=out, stderr=err)) + '\n')
            self.process.stdin.flush()
            pid = self.read()['pid']
            try:
                returncode = self.wait(timeout, pid)
            finally:
                with open(out) as stdout, open(err) as stderr:
                    output = stdout.read(), stderr.read()
        if returncode is None:
            raise subprocess.TimeoutExpired(args, timeout, *output)
        return subprocess.CompletedProcess(args, returncode, *output)

    def wait(self, timeout: Optional[float], pid: int) -> Optional[int]:
        """The child's exit status; None, with the child killed, when it
        outlived ``timeout`` seconds."""
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            os.kill(pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            returncode = self.read()['returncode']
        finally:
            if timer:
                timer.cancel()
        return None if expired.is_set() else returncode


_server: Optional[ToolForkServer] = None


def run_tool(args: Sequence[str], cwd: str,
             timeout: Optional[float] = None) -> subprocess.CompletedProcess:
    """``python *args`` in ``cwd``, its output captured as text.

    The process is a fork of this worker's :class:`ToolForkServer`, which
    saves each tool the seconds of importing the stack.
    """
    global _server
    if _server is None or _server.process.poll() is not None:
        _server = ToolForkServer()
    return _server.run(args, cwd, timeout)


def error_line(result: subprocess.CompletedProcess,
               status: int = BAD_INPUT_STATUS) -> str:
    """The one ``error: ...`` line a tool that refused its input printed.

    Asserts that it exited with ``status`` (bad input: 2; a stopped run:
    3), printed no traceback, and printed exactly one such line.
    """
    tail = result.stderr[-3000:]
    assert result.returncode == status, tail
    assert 'Traceback' not in result.stderr, tail
    lines = [line for line in result.stderr.splitlines()
             if line.startswith('error: ')]
    assert len(lines) == 1, tail
    return lines[0]
