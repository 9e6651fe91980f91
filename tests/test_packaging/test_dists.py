"""The sdist and the wheel carry what an install without a clone needs: the
ops' C++ sources, and the configs, tools, demo and model index that mim
reads from the wheel's ``mmca/.mim``."""
import os
import tarfile
import zipfile
from pathlib import Path
from typing import List

import pytest
import yaml

pytestmark = pytest.mark.slow

MIM_FOLDERS = ('configs', 'tools', 'demo')


def checkout_files(repo_root: str, folder: str) -> List[str]:
    """The files under ``folder`` of the checkout, relative to its root,
    bytecode left out."""
    found = []
    for dirpath, dirnames, filenames in os.walk(Path(repo_root, folder)):
        dirnames[:] = [d for d in dirnames if d != '__pycache__']
        found += [os.path.relpath(os.path.join(dirpath, name), repo_root)
                  for name in filenames if not name.endswith('.pyc')]
    return found


def mim_files(repo_root: str) -> List[str]:
    """What mim reads: every file of :data:`MIM_FOLDERS`, model-index.yml
    and the metafiles it imports."""
    with open(Path(repo_root, 'model-index.yml')) as f:
        imports = yaml.safe_load(f)['Import']
    files = [f for folder in MIM_FOLDERS
             for f in checkout_files(repo_root, folder)]
    return files + ['model-index.yml'] + [os.path.normpath(p)
                                          for p in imports]


def ops_sources(repo_root: str) -> List[str]:
    return [f for f in checkout_files(repo_root, 'mmca/ops/csrc')
            if f.endswith(('.cpp', '.h'))]


def test_sdist_holds_the_repository_files_mim_reads_and_the_ops_sources(
        dists, repo_root):
    with tarfile.open(dists['sdist']) as tar:
        # mmca-0.1.0/configs/... -> configs/...
        names = {name.split('/', 1)[1] for name in tar.getnames()
                 if '/' in name}
    expected = set(mim_files(repo_root) + ops_sources(repo_root) +
                   ['setup.py', 'pyproject.toml', 'mmca/__init__.py'])
    assert expected - names == set()
    # no editable install's links, no bytecode
    assert not [n for n in names if n.startswith('mmca/.mim')
                or '__pycache__' in n or n.endswith('.pyc')]


def test_wheel_holds_the_ops_sources_and_copies_of_the_mim_files(
        dists, repo_root):
    with zipfile.ZipFile(dists['wheel']) as wheel:
        names = set(wheel.namelist())
        expected = [f'mmca/.mim/{f}' for f in mim_files(repo_root)]
        assert set(expected + ops_sources(repo_root)) - names == set()
        for path in ('model-index.yml', 'tools/train.py', 'tools/test.py'):
            assert wheel.read(f'mmca/.mim/{path}') == Path(
                repo_root, path).read_bytes()
    assert not [n for n in names if '__pycache__' in n or
                n.startswith(('configs/', 'tools/', 'tests/'))]
