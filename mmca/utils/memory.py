"""The resident memory of a process, and whether repeating a call grows it."""
import os
from typing import Callable, Optional, Tuple

from .optional_import import library_imports


def rss_bytes(pid: Optional[int] = None) -> int:
    """Resident set size of ``pid`` (this process by default), in bytes.

    Through psutil where it is installed, else Linux's
    ``/proc/<pid>/status`` (``VmRSS``).
    """
    pid = os.getpid() if pid is None else pid
    if library_imports('psutil'):
        import psutil
        return psutil.Process(pid).memory_info().rss
    with open(f'/proc/{pid}/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    raise OSError(f'/proc/{pid}/status has no VmRSS line')


def rss_over_calls(call: Callable[[], object], calls: int,
                   warmup: int = 20) -> Tuple[int, int]:
    """RSS ``(before, after)`` ``calls`` calls of ``call``.

    ``before`` is taken after ``warmup`` calls, once the allocator holds
    the blocks one call needs; growth from there on is what repetition
    adds.
    """
    for _ in range(warmup):
        call()
    before = rss_bytes()
    for _ in range(calls):
        call()
    return before, rss_bytes()
