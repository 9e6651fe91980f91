"""Put the files mim reads inside the package, as ``mmca/.mim``.

All metadata lives in pyproject.toml; this file only adds one build step.
``mim train mmca CONFIG`` runs ``<mmca>/.mim/tools/train.py`` (``mim test``
its ``test.py``) and finds a config given by name under ``.mim/configs``;
``mim search mmca`` and :func:`mmca.list_models` read
``.mim/model-index.yml`` and the metafiles under ``configs/metafiles``. So,
as mmpretrain's setup.py arranges:

- a wheel (``pip install .``, ``python -m build``) gets copies of
  ``configs/``, ``tools/``, ``demo/`` and ``model-index.yml`` under
  ``mmca/.mim`` in its build directory. The source tree is left as it is:
  a wheel build never leaves stale copies where an editable install reads.
- an editable install (``pip install -e .``) gets relative symlinks in the
  source tree (``mmca/.mim/configs -> ../../configs``, git-ignored), so
  ``mmca/.mim`` is the one place to look in a clone too. (mim 0.3.9 itself
  looks for an editable install in site-packages, where it is not: see
  docs/install.md.)
- the sdist carries those files at their places in the repository
  (MANIFEST.in), and a wheel built from it copies them as above.
"""
import os
import os.path as osp
import shutil
from setuptools import setup
from setuptools.command.build_py import build_py
from typing import List

ROOT = osp.dirname(osp.abspath(__file__))
MIM_DIR = osp.join('mmca', '.mim')
MODEL_INDEX = 'model-index.yml'
#: What mim reads (configs/ holds the metafiles model-index.yml imports).
MIM_FILES = ('configs', 'tools', 'demo', MODEL_INDEX)
IGNORED = shutil.ignore_patterns('__pycache__', '*.pyc')


def mim_files(root: str) -> List[str]:
    """:data:`MIM_FILES`, each of which ``root`` must have."""
    missing = [name for name in MIM_FILES
               if not osp.exists(osp.join(root, name))]
    if missing:
        raise FileNotFoundError(f'mim files missing from {root}: {missing}')
    return list(MIM_FILES)


def fresh_dir(path: str) -> None:
    """An empty directory at ``path`` (links in the old one are removed,
    not what they point to)."""
    if osp.lexists(path):
        shutil.rmtree(path)
    os.makedirs(path)


def copy_mim_files(root: str, mim_dir: str) -> None:
    """Copy :func:`mim_files` of ``root`` into ``mim_dir``, afresh."""
    names = mim_files(root)
    fresh_dir(mim_dir)
    for name in names:
        src, dst = osp.join(root, name), osp.join(mim_dir, name)
        if osp.isdir(src):
            shutil.copytree(src, dst, ignore=IGNORED)
        else:
            shutil.copy2(src, dst)


def link_mim_files(root: str) -> None:
    """Link :func:`mim_files` of ``root`` into ``root/mmca/.mim``, afresh,
    by relative links (a moved clone keeps them)."""
    names = mim_files(root)
    mim_dir = osp.join(root, MIM_DIR)
    fresh_dir(mim_dir)
    for name in names:
        os.symlink(osp.relpath(osp.join(root, name), mim_dir),
                   osp.join(mim_dir, name))


class BuildPyWithMim(build_py):
    """build_py, then the mim files: links in the source tree for an
    editable install (which builds nothing), copies in the build
    directory otherwise."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            link_mim_files(ROOT)
        else:
            copy_mim_files(ROOT, osp.join(self.build_lib, MIM_DIR))


setup(cmdclass={'build_py': BuildPyWithMim})
