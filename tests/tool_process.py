"""Running a tool as a user does, and reading what it reports.

Every test that starts a tool (``python tools/....py``) goes through
:func:`run_tool`, and every test of bad input reads the tool's report with
:func:`error_line`, which holds the whole contract of
:func:`mmca.cli.run_tool`: the exit status, no traceback, and exactly one
``error:`` line. pytest's default import mode puts ``tests/`` on
``sys.path`` (for its ``conftest.py``), so test modules import this as
``from tool_process import run_tool, error_line``.
"""
import subprocess
import sys
from typing import Sequence

from mmca.cli import BAD_INPUT_STATUS


def run_tool(args: Sequence[str], cwd: str,
             **kwargs) -> subprocess.CompletedProcess:
    """``python *args`` in ``cwd``, its output captured as text."""
    return subprocess.run([sys.executable, *args], cwd=cwd,
                          capture_output=True, text=True, **kwargs)


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
