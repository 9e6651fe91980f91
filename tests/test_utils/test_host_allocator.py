"""glibc malloc settings the tools apply on CPU."""
import platform

import pytest

from mmca.utils import keep_freed_host_memory


@pytest.mark.skipif(platform.libc_ver()[0] != 'glibc', reason='glibc only')
def test_applies_on_glibc(monkeypatch):
    for name in ('LD_PRELOAD', 'MALLOC_MMAP_MAX_', 'MALLOC_MMAP_THRESHOLD_',
                 'MALLOC_TRIM_THRESHOLD_'):
        monkeypatch.delenv(name, raising=False)
    assert keep_freed_host_memory() is True


@pytest.mark.parametrize('name,value', [
    ('LD_PRELOAD', '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'),
    ('MALLOC_MMAP_THRESHOLD_', '65536'),
])
def test_leaves_a_users_allocator_choice_alone(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    assert keep_freed_host_memory() is False
