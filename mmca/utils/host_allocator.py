"""Keep glibc from unmapping and re-faulting big CPU tensors every step.

glibc's malloc serves each block above its mmap threshold (at most 32 MiB)
with a fresh ``mmap`` and returns it with ``munmap`` on free. A CPU training
step allocates and frees hundreds of such tensors, so every step maps and
zero-fills new pages in the kernel, in system time. The settings below keep
those pages mapped, at the price of a higher peak resident memory
(docs/cpu.md has the measured step times and their command).

This is what ``MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=...`` or preloading
jemalloc/tcmalloc do from outside the process; PyTorch's CPU performance
guide recommends the latter.
"""
import ctypes
import ctypes.util
import logging
import os

from mmengine.logging import print_log

# mallopt(3) parameter numbers from glibc's malloc.h.
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
# The largest heap top glibc keeps instead of returning it (mallopt takes an
# int): freed activations stay mapped for the next step.
TRIM_THRESHOLD = 2**31 - 1
# Settings the user made themselves, which we leave alone.
USER_ALLOCATOR_ENV = ('LD_PRELOAD', 'MALLOC_MMAP_MAX_',
                      'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_')


def keep_freed_host_memory() -> bool:
    """Serve big host allocations from the heap and keep freed memory.

    Does nothing (and returns False) where the C library is not glibc, or
    when the user chose an allocator or malloc settings through the
    environment (``LD_PRELOAD``, ``MALLOC_*_``). Applies to this process and
    to dataloader workers forked from it.

    Returns:
        bool: Whether the settings were applied.
    """
    if any(os.environ.get(name) for name in USER_ALLOCATOR_ENV):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
    except OSError:
        return False
    if not hasattr(libc, 'gnu_get_libc_version'):  # not glibc (musl, macOS)
        return False
    applied = bool(libc.mallopt(M_MMAP_MAX, 0)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    if applied:
        print_log('glibc malloc: big tensors served from the heap '
                  '(M_MMAP_MAX=0, M_TRIM_THRESHOLD=2 GiB); see '
                  'mmca/apis/host_allocator.py', logger='current',
                  level=logging.DEBUG)
    return applied
