"""What the packaging tests share: mmca's sdist and wheel, built from this
checkout; a venv with that wheel installed, run from a folder outside the
checkout so that nothing of it is importable; and the models of the
checkout's metafiles, read here with yaml.

The sdist, the wheel, the venv and the slow runs in it are made once a
session (:func:`make_once`), whichever pytest-xdist worker needs them
first: two builds at once would also write the checkout's mmca.egg-info
together.
"""
import fcntl
import functools
import os
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Sequence

import pytest
import yaml

from mmca.ops import extension


def make_once(tmp_path_factory, name: str,
              make: Callable[[Path], None]) -> Path:
    """The folder ``name`` of this session, filled by ``make(folder)`` in
    the first worker that asks for it; the others wait, then reuse it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        base = base.parent   # the session's, above each worker's own
    folder, done = base / name, base / f'{name}.done'
    with open(base / f'{name}.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder.mkdir(exist_ok=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope='session')
def once(tmp_path_factory) -> Callable[[str, Callable[[Path], None]], Path]:
    """``once(name, make)``: :func:`make_once` in this session."""
    return functools.partial(make_once, tmp_path_factory)


@pytest.fixture(scope='session')
def dists(tmp_path_factory, repo_root) -> Dict[str, Path]:
    """``{'sdist': PATH, 'wheel': PATH}``: what ``python -m build`` makes
    of this checkout (without build isolation: setuptools and wheel come
    from this environment)."""
    def build(out: Path) -> None:
        result = subprocess.run(
            [sys.executable, '-m', 'build', '--no-isolation', '--outdir',
             str(out), repo_root], capture_output=True, text=True)
        assert result.returncode == 0, (result.stdout +
                                        result.stderr)[-3000:]

    out = make_once(tmp_path_factory, 'dist', build)
    return {'sdist': next(out.glob('mmca-*.tar.gz')),
            'wheel': next(out.glob('mmca-*.whl'))}


@dataclass
class WheelVenv:
    """A venv with mmca installed from the wheel.

    It reuses this environment's packages (torch, mmcv, the OpenMMLab
    stack, mim) through a ``.pth`` file, which adds their folder to
    ``sys.path`` without running that folder's ``.pth`` files: this
    checkout's editable install of mmca is not among what it sees. Its
    processes find this environment's ninja first on PATH, as pip's ninja
    lives in a venv's scripts folder, which the ``.pth`` file does not
    bring.
    """
    root: Path

    @property
    def python(self) -> str:
        return str(self.root / 'bin' / 'python')

    @property
    def site_packages(self) -> Path:
        version = f'python{sys.version_info.major}.{sys.version_info.minor}'
        return self.root / 'lib' / version / 'site-packages'

    @property
    def cwd(self) -> Path:
        """The working folder of :meth:`run`, outside the checkout."""
        return self.root / 'outside'

    def run(self, args: Sequence[str],
            **kwargs) -> subprocess.CompletedProcess:
        """``python *args`` in :attr:`cwd` without ``PYTHONPATH``, its
        output captured as text."""
        env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
        env['PATH'] = extension.ninja_directory() + os.pathsep + env['PATH']
        return subprocess.run([self.python, *args], cwd=self.cwd, env=env,
                              capture_output=True, text=True, **kwargs)


@pytest.fixture(scope='session')
def wheel_venv(dists, tmp_path_factory) -> WheelVenv:
    def install(root: Path) -> None:
        venv.create(root, with_pip=False)
        env = WheelVenv(root)
        env.cwd.mkdir()
        (env.site_packages / 'this_environment.pth').write_text(
            sysconfig.get_paths()['purelib'] + '\n')
        result = env.run(['-m', 'pip', 'install', '--no-deps',
                          '--no-index', str(dists['wheel'])])
        assert result.returncode == 0, result.stderr[-3000:]

    return WheelVenv(make_once(tmp_path_factory, 'wheel_venv', install))


@pytest.fixture(scope='session')
def metafile_models(repo_root) -> Dict[str, dict]:
    """Every model of the metafiles model-index.yml imports, by name."""
    with open(Path(repo_root, 'model-index.yml')) as f:
        imports = yaml.safe_load(f)['Import']
    models = {}
    for path in imports:
        with open(Path(repo_root, path)) as f:
            for model in yaml.safe_load(f)['Models']:
                models[model['Name']] = model
    return models
