"""Build (once per machine and torch) and load mmca's C++ CPU ops.

The ops are compiled with ``torch.utils.cpp_extension`` on first use, which
needs a C++ compiler and ninja; ``tools/install.sh`` builds them, and the
build is cached under ``$TORCH_EXTENSIONS_DIR`` (default
``~/.cache/torch_extensions``) in a directory keyed by what it is built
from (:func:`build_directory`): clones, wheel installs and venvs that hold
the same sources and load the same torch share one build, and loading the
ops in one never rebuilds another's. A wheel carries the sources, not a
build, as a compiled op is tied to the exact torch it was built against.
Where the build cannot run, :func:`load_ops` returns False once with a
warning, and callers use plain PyTorch instead.
"""
import hashlib
import os
import os.path as osp
import shutil
import subprocess
import sysconfig
import warnings
from functools import lru_cache
from typing import List, Optional, Sequence, Tuple

import torch

# One file per op (strip_mean, coord_gate, coord_attention_inference), the
# shared helpers in headers, the schemas in bindings.cpp.
CSRC = osp.join(osp.dirname(osp.abspath(__file__)), 'csrc')
# The kernels use templated lambdas, which C++17 accepts only as an
# extension; torch's own headers need C++20 from 2.10 on.
CXX_STANDARD = '-std=c++20'
# Vector ISA flags by the capability torch detects on this CPU. The kernels
# are plain loops: without these, gcc vectorises them for SSE2 only. The
# CPU_CAPABILITY macros pick ATen's matching at::vec::Vectorized.
ISA_FLAGS = {
    'AVX512': ['-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512dq',
               '-mavx2', '-mfma', '-DCPU_CAPABILITY=AVX512',
               '-DCPU_CAPABILITY_AVX512'],
    'AVX2': ['-mavx2', '-mfma', '-DCPU_CAPABILITY=AVX2',
             '-DCPU_CAPABILITY_AVX2'],
}
DEFAULT_ISA_FLAGS = ['-DCPU_CAPABILITY=DEFAULT']


def extension_name(capability: str) -> str:
    """One build per vector ISA, so a shared cache never mixes them."""
    suffix = capability.lower() if capability in ISA_FLAGS else 'default'
    return f'mmca_coord_attention_cpu_{suffix}'


def build_settings() -> Tuple[str, List[str]]:
    """The extension's name and compile flags on this CPU.

    ``-fopenmp`` is a compile flag only: the ops link to the OpenMP runtime
    torch already loaded, so ``at::parallel_for`` shares torch's threads.
    """
    capability = torch.backends.cpu.get_cpu_capability()
    return extension_name(capability), [
        CXX_STANDARD, '-O3', '-fopenmp'
    ] + ISA_FLAGS.get(capability, DEFAULT_ISA_FLAGS)


def source_files() -> List[str]:
    """The ops' sources and headers, sorted."""
    return sorted(osp.join(CSRC, name) for name in os.listdir(CSRC)
                  if name.endswith(('.cpp', '.h')))


def build_directory(name: str, cflags: Sequence[str]) -> str:
    """Where extension ``name`` is built with ``cflags``, against this
    torch, from the sources copied into it (see :func:`stage_sources`).

    torch keys its cache by the extension's name alone, and ninja rebuilds
    whenever the build file torch writes differs from the last one's (the
    sources' path, torch's headers and libraries): two clones or two venvs
    sharing one directory would rebuild it in turn, in every process that
    loads it. So the directory is keyed by everything that file names or
    compiles: the sources' contents, the flags, the compiler, the torch
    build and the path it is installed at, and Python's headers; and by the
    version of the ninja that builds it (see :func:`ninja_directory`).
    """
    root = os.environ.get('TORCH_EXTENSIONS_DIR') or osp.join(
        osp.expanduser('~'), '.cache', 'torch_extensions')
    key = hashlib.sha1()
    for path in source_files():
        with open(path, 'rb') as f:
            key.update(osp.basename(path).encode() + b'\0' + f.read())
    key.update('|'.join(
        (*cflags, os.environ.get('CXX', 'c++'), torch.__version__,
         osp.dirname(osp.abspath(torch.__file__)),
         sysconfig.get_paths()['include'], ninja_version())).encode())
    path = osp.join(root, f'{name}_{key.hexdigest()[:10]}')
    os.makedirs(path, exist_ok=True)
    return path


def stage_sources(build_dir: str) -> List[str]:
    """Copy the sources into ``build_dir/csrc`` (once: a copy keeps its
    time stamp, which ninja compares with the objects'); the ``.cpp``
    copies. Built from these, the build file names no path of an installed
    mmca, so every copy of mmca with these sources reuses the build."""
    staged = osp.join(build_dir, 'csrc')
    os.makedirs(staged, exist_ok=True)
    copies = []
    for path in source_files():
        target = osp.join(staged, osp.basename(path))
        if not osp.exists(target):
            # another process may be staging the same file: publish whole
            partial = f'{target}.{os.getpid()}.tmp'
            shutil.copyfile(path, partial)
            os.replace(partial, target)
        copies.append(target)
    return [path for path in copies if path.endswith('.cpp')]


def ninja_directory() -> Optional[str]:
    """The folder of the ninja the ops are built with: pip's (the ``ninja``
    package, which mmca requires) where it is installed, else the one on
    PATH. One build directory must always be built by one ninja: ninja's
    log keeps a hash of each command, which ninja 1.13 computes otherwise
    than 1.11, so two processes finding two ninjas on their PATHs would
    rebuild everything in turn."""
    try:
        import ninja
        if ninja.BIN_DIR:   # '' where its script folder has no ninja
            return ninja.BIN_DIR
    except ImportError:
        pass
    found = shutil.which('ninja')
    return osp.dirname(found) if found else None


@lru_cache(maxsize=None)
def ninja_version() -> str:
    """The version of the ninja in :func:`ninja_directory` ('' if none)."""
    folder = ninja_directory()
    if folder is None:
        return ''
    return subprocess.run([osp.join(folder, 'ninja'), '--version'],
                          capture_output=True, text=True).stdout.strip()


def put_ninja_on_path() -> None:
    """Put :func:`ninja_directory` first on PATH, where torch runs
    ``ninja`` from (pip's ninja lives in the venv, which is not on PATH
    when the venv's python is run without activating it)."""
    folder = ninja_directory()
    path = os.environ.get('PATH', '')
    if folder and path.split(os.pathsep)[0] != folder:
        os.environ['PATH'] = folder + os.pathsep + path


@lru_cache(maxsize=None)
def load_ops() -> bool:
    """Register ``torch.ops.mmca.*``; whether they are available."""
    put_ninja_on_path()
    try:
        from torch.utils.cpp_extension import load
        name, cflags = build_settings()
        build_dir = build_directory(name, cflags)
        load(name=name, sources=stage_sources(build_dir),
             build_directory=build_dir, extra_cflags=cflags,
             is_python_module=False, verbose=False)
    except Exception as err:  # no compiler, no ninja, or a failed build
        warnings.warn(f'mmca C++ ops unavailable ({type(err).__name__}: '
                      f'{str(err).strip().splitlines()[-1][:200]}); '
                      'CoordAttention runs on plain PyTorch ops. Install a '
                      'C++ compiler and ninja (tools/install.sh) for the '
                      'fused CPU path.')
        return False
    return hasattr(torch.ops.mmca, 'coord_gate')
