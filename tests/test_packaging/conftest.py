"""What the packaging tests share: mmca's sdist and wheel, built once a
session from this checkout; a venv with that wheel installed, run from a
folder outside the checkout so that nothing of it is importable; and the
models of the checkout's metafiles, read here with yaml."""
import os
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Sequence

import pytest
import yaml

from mmca.ops import extension


@pytest.fixture(scope='session')
def dists(tmp_path_factory, repo_root) -> Dict[str, Path]:
    """``{'sdist': PATH, 'wheel': PATH}``: what ``python -m build`` makes
    of this checkout (without build isolation: setuptools and wheel come
    from this environment)."""
    out = tmp_path_factory.mktemp('dist')
    result = subprocess.run(
        [sys.executable, '-m', 'build', '--no-isolation', '--outdir',
         str(out), repo_root], capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
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
    python: str
    site_packages: Path
    #: The working folder of :meth:`run`, outside the checkout.
    cwd: Path

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
    root = tmp_path_factory.mktemp('wheel_venv')
    venv.create(root, with_pip=False)
    version = f'python{sys.version_info.major}.{sys.version_info.minor}'
    site_packages = root / 'lib' / version / 'site-packages'
    (site_packages / 'this_environment.pth').write_text(
        sysconfig.get_paths()['purelib'] + '\n')
    env = WheelVenv(str(root / 'bin' / 'python'), site_packages,
                    tmp_path_factory.mktemp('outside'))
    result = env.run(['-m', 'pip', 'install', '--no-deps', '--no-index',
                      str(dists['wheel'])])
    assert result.returncode == 0, result.stderr[-3000:]
    return env


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
