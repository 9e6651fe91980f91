"""The C++ ops' build directory is keyed by what the build is made from, so
every install of mmca with the same sources against the same torch shares
one build, and an install that differs (sources, flags, torch) never
rebuilds another's."""
import os
import shutil
import subprocess

import pytest
import torch

from mmca.ops import extension

FLAGS = ['-O3', '-DCPU_CAPABILITY=DEFAULT']


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv('TORCH_EXTENSIONS_DIR', str(tmp_path / 'cache'))
    return tmp_path / 'cache'


@pytest.fixture
def sources_copy(tmp_path):
    """A copy of the ops' sources elsewhere, as another clone or a wheel
    install holds them."""
    copy = tmp_path / 'elsewhere' / 'csrc'
    shutil.copytree(extension.CSRC, copy)
    return copy


def test_the_same_sources_elsewhere_share_the_directory(
        cache, sources_copy, monkeypatch):
    here = extension.build_directory('ops', FLAGS)
    assert os.path.isdir(here) and os.path.dirname(here) == str(cache)
    monkeypatch.setattr(extension, 'CSRC', str(sources_copy))
    assert extension.build_directory('ops', FLAGS) == here


def test_changed_sources_flags_ninja_or_torch_build_elsewhere(
        cache, sources_copy, monkeypatch):
    here = extension.build_directory('ops', FLAGS)
    assert extension.build_directory('ops', FLAGS + ['-mavx2']) != here
    with monkeypatch.context() as patch:
        patch.setattr(torch, '__version__', '0.0.1+other')
        assert extension.build_directory('ops', FLAGS) != here
    with monkeypatch.context() as patch:
        patch.setattr(extension, 'ninja_version', lambda: '1.11.1')
        assert extension.build_directory('ops', FLAGS) != here
    with monkeypatch.context() as patch:
        # torch of the same version installed at another path
        patch.setattr(torch, '__file__', '/another/venv/torch/__init__.py')
        assert extension.build_directory('ops', FLAGS) != here
    monkeypatch.setattr(extension, 'CSRC', str(sources_copy))
    with open(sources_copy / 'ops.h', 'a') as f:
        f.write('\n// edited\n')
    assert extension.build_directory('ops', FLAGS) != here


def test_the_build_compiles_copies_staged_once(cache):
    build_dir = extension.build_directory('ops', FLAGS)
    sources = extension.stage_sources(build_dir)
    originals = extension.source_files()
    assert [os.path.basename(s) for s in sources] == [
        os.path.basename(s) for s in originals if s.endswith('.cpp')]
    for original in originals:
        with open(original, 'rb') as f, open(os.path.join(
                build_dir, 'csrc', os.path.basename(original)), 'rb') as g:
            assert f.read() == g.read()
    # a second load stages nothing anew: ninja sees the sources unchanged
    stamps = [os.stat(s).st_mtime_ns for s in sources]
    os.utime(sources[0], ns=(1, 1))
    assert extension.stage_sources(build_dir) == sources
    assert os.stat(sources[0]).st_mtime_ns == 1
    assert [os.stat(s).st_mtime_ns for s in sources[1:]] == stamps[1:]


def test_the_build_runs_one_ninja_whatever_ninja_path_finds_first(
        monkeypatch, tmp_path):
    other = tmp_path / 'bin'
    other.mkdir()
    (other / 'ninja').write_text('#!/bin/sh\necho 0.0.1\n')
    (other / 'ninja').chmod(0o755)
    monkeypatch.setenv('PATH', f'{other}{os.pathsep}{os.environ["PATH"]}')
    extension.put_ninja_on_path()
    found = shutil.which('ninja')
    assert os.path.dirname(found) == extension.ninja_directory() != str(
        other)
    assert extension.ninja_version() == subprocess.run(
        [found, '--version'], capture_output=True, text=True).stdout.strip()
