"""Build (once per machine) and load mmca's C++ CPU ops.

The ops are compiled with ``torch.utils.cpp_extension`` on first use, which
needs a C++ compiler and ninja; ``tools/install.sh`` builds them, and the
build is cached under ``$TORCH_EXTENSIONS_DIR`` (default
``~/.cache/torch_extensions``), one build per checkout and environment.
Where the build cannot run, :func:`load_ops` returns False once with a
warning, and callers use plain PyTorch instead.
"""
import glob
import hashlib
import os
import os.path as osp
import shutil
import sys
import warnings
from functools import lru_cache

import torch

# One file per op (strip_mean, coord_gate, coord_attention_inference), the
# shared helpers in headers, the schemas in bindings.cpp.
SOURCES = sorted(glob.glob(osp.join(osp.dirname(__file__), 'csrc', '*.cpp')))
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


def build_directory(name: str) -> str:
    """Where this checkout, in this environment, builds extension ``name``.

    torch keys its cache by the extension's name alone, and rebuilds when
    the sources' paths or the compiler differ from the last build's; two
    clones or two venvs sharing the cache would then rebuild it in turn,
    in every process that loads it.
    """
    root = os.environ.get('TORCH_EXTENSIONS_DIR') or osp.join(
        osp.expanduser('~'), '.cache', 'torch_extensions')
    key = hashlib.sha1('|'.join(
        (osp.dirname(osp.abspath(__file__)), sys.prefix,
         torch.__version__)).encode()).hexdigest()[:10]
    path = osp.join(root, f'{name}_{key}')
    os.makedirs(path, exist_ok=True)
    return path


def put_ninja_on_path() -> None:
    """torch runs ``ninja`` from PATH; pip's ninja lives in the venv, which
    is not on PATH when the venv's python is run without activating it."""
    if shutil.which('ninja'):
        return
    try:
        import ninja
    except ImportError:
        return
    os.environ['PATH'] = ninja.BIN_DIR + os.pathsep + os.environ['PATH']


@lru_cache(maxsize=None)
def load_ops() -> bool:
    """Register ``torch.ops.mmca.*``; whether they are available.

    ``-fopenmp`` is a compile flag only: the ops link to the OpenMP runtime
    torch already loaded, so ``at::parallel_for`` shares torch's threads.
    """
    capability = torch.backends.cpu.get_cpu_capability()
    put_ninja_on_path()
    try:
        from torch.utils.cpp_extension import load
        name = extension_name(capability)
        load(name=name, sources=SOURCES,
             build_directory=build_directory(name),
             extra_cflags=[CXX_STANDARD, '-O3', '-fopenmp'] +
             ISA_FLAGS.get(capability, DEFAULT_ISA_FLAGS),
             is_python_module=False, verbose=False)
    except Exception as err:  # no compiler, no ninja, or a failed build
        warnings.warn(f'mmca C++ ops unavailable ({type(err).__name__}: '
                      f'{str(err).strip().splitlines()[-1][:200]}); '
                      'CoordAttention runs on plain PyTorch ops. Install a '
                      'C++ compiler and ninja (tools/install.sh) for the '
                      'fused CPU path.')
        return False
    return hasattr(torch.ops.mmca, 'coord_gate')
