"""Build (once per machine and ncnn install) and load mmca's ncnn layers
(``mmca/ops/ncnn``) for the ``ncnn`` Python wheel.

The wheel carries no C++ headers and exports none of ncnn's symbols, so a
layer is compiled against the headers of the same ncnn version's source
distribution (fetched from PyPI once, checked against its SHA-256, and
configured by ncnn's own CMake files with the wheel's options, which fix
the classes' layout), with ncnn's layer base class and parameter reader
brought along (``layer_base.cpp``, ncnn's ``paramdict.cpp``). It runs its
threads on the OpenMP runtime ncnn's own layers run on
(:func:`openmp_is_the_wheels`): two thread teams spinning on two cores, one
for ncnn's layers and one for mmca's, slowed SSDLite320 down eightfold.

The build lives under ``$MMCA_CACHE_DIR`` (default ``~/.cache/mmca``), in a
folder keyed by everything it is built from; ``MMCA_NCNN_SOURCE`` names a
local copy of the source archive for machines that cannot reach PyPI.
"""
import glob
import hashlib
import importlib.machinery
import importlib.util
import os
import os.path as osp
import platform
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from types import ModuleType
from typing import List, Tuple

from .extension import ISA_FLAGS

MODULE = 'mmca_ncnn_layers'
SOURCES = osp.join(osp.dirname(osp.abspath(__file__)), 'ncnn')
#: ncnn's source distribution on PyPI, by the wheel version it builds.
NCNN_SDISTS = {
    '1.0.20261020': (
        'https://files.pythonhosted.org/packages/b7/50/32b5172afe7d3e0dce410'
        'b7d8f4a5b7b84b942a0d69affbaedf669de52bc/ncnn-1.0.20261020.tar.gz',
        'ad8cdd63e9755cfa8e23b9b6d9ce46156077d80298a89e7c3ba325ffccfca200'),
}
# The options the wheel's setup.py configures ncnn with (the layout of
# Layer, Mat and Option depends on them)
WHEEL_CMAKE_OPTIONS = ('-DCMAKE_BUILD_TYPE=Release', '-DNCNN_VULKAN=ON',
                       '-DNCNN_PYTHON=OFF', '-DNCNN_DISABLE_RTTI=OFF',
                       '-DNCNN_DISABLE_EXCEPTION=OFF',
                       '-DNCNN_BUILD_BENCHMARK=OFF',
                       '-DNCNN_BUILD_EXAMPLES=OFF', '-DNCNN_BUILD_TOOLS=OFF',
                       '-DNCNN_BUILD_TESTS=OFF')
# -ffast-math lets gcc vectorise expf (glibc's libmvec) and the lane sums
CXXFLAGS = ('-O3', '-ffast-math', '-fopenmp', '-fPIC', '-std=c++17',
            '-fvisibility=hidden', '-ffunction-sections')


class NCNNLayersUnavailable(RuntimeError):
    """The layers cannot be built or loaded here (message: why, and the
    fix)."""


def cache_root() -> str:
    return os.environ.get('MMCA_CACHE_DIR') or osp.join(
        osp.expanduser('~'), '.cache', 'mmca')


def ncnn_install() -> Tuple[str, str]:
    """The installed wheel's version and its folder."""
    try:
        import ncnn
    except ImportError as err:
        raise NCNNLayersUnavailable(
            f'ncnn does not import ({err}); install requirements/deploy.txt'
        ) from err
    return ncnn.__version__, osp.dirname(osp.abspath(ncnn.__file__))


def wheel_openmp(ncnn_dir: str) -> str:
    """The OpenMP runtime the wheel bundles (``ncnn.libs/libgomp-*``)."""
    found = sorted(glob.glob(osp.join(ncnn_dir + '.libs', 'libgomp*.so*')))
    if not found:
        raise NCNNLayersUnavailable(
            f'no OpenMP runtime beside the ncnn wheel in {ncnn_dir}.libs')
    return found[0]


def publish_dir(build: str, target: str) -> None:
    """Move a finished folder to ``target``; another process may have
    published it first, which is as good."""
    try:
        os.replace(build, target)
    except OSError:
        if not osp.isdir(target):
            raise
        shutil.rmtree(build, ignore_errors=True)


def fetch_sdist(version: str) -> str:
    """ncnn's source archive for ``version`` in the cache, checked."""
    if version not in NCNN_SDISTS:
        raise NCNNLayersUnavailable(
            f'mmca knows no ncnn source for the installed ncnn {version}; '
            f'install ncnn {" or ".join(NCNN_SDISTS)} (requirements/'
            'deploy.txt)')
    url, sha256 = NCNN_SDISTS[version]
    path = osp.join(cache_root(), 'ncnn', osp.basename(url))
    if osp.isfile(path):
        return path
    os.makedirs(osp.dirname(path), exist_ok=True)
    local = os.environ.get('MMCA_NCNN_SOURCE')
    try:
        if local:
            with open(local, 'rb') as f:
                data = f.read()
        else:
            with urllib.request.urlopen(url, timeout=120) as response:
                data = response.read()
    except OSError as err:
        raise NCNNLayersUnavailable(
            f'cannot read ncnn\'s source {local or url} ({err}); download '
            f'it and set MMCA_NCNN_SOURCE to its path') from err
    if hashlib.sha256(data).hexdigest() != sha256:
        raise NCNNLayersUnavailable(
            f'{local or url} is not ncnn {version}\'s source archive '
            f'(SHA-256 differs from {sha256})')
    partial = f'{path}.{os.getpid()}.tmp'
    with open(partial, 'wb') as f:
        f.write(data)
    os.replace(partial, path)
    return path


def configured_source(version: str) -> str:
    """ncnn's sources for ``version``, configured with the wheel's options
    (which write ``build/src/platform.h``): the include root."""
    root = osp.join(cache_root(), 'ncnn', f'ncnn-{version}')
    if osp.isfile(osp.join(root, 'build', 'src', 'platform.h')):
        return root
    # pip's cmake sits beside the interpreter, off PATH in an unactivated
    # venv
    cmake = shutil.which('cmake', path=osp.dirname(sys.executable)
                         ) or shutil.which('cmake')
    if cmake is None:
        raise NCNNLayersUnavailable(
            'building mmca\'s ncnn layers needs cmake (pip install cmake, '
            'or install requirements/deploy.txt)')
    archive = fetch_sdist(version)
    staging = tempfile.mkdtemp(dir=osp.dirname(root), prefix='.configure-')
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter='data')
        source = osp.join(staging, f'ncnn-{version}')
        result = subprocess.run(
            [cmake, '-S', source, '-B', osp.join(source, 'build'),
             *WHEEL_CMAKE_OPTIONS], capture_output=True, text=True)
        if result.returncode:
            raise NCNNLayersUnavailable(
                'configuring ncnn failed: ' +
                (result.stderr.strip() or result.stdout.strip()
                 ).splitlines()[-1])
        publish_dir(source, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return root


def layer_sources() -> List[str]:
    return sorted(osp.join(SOURCES, name) for name in os.listdir(SOURCES)
                  if name.endswith(('.cpp', '.h')))


def isa_flags() -> List[str]:
    """The vector ISA flags of mmca's ops on this CPU (``-m...`` only)."""
    import torch
    capability = torch.backends.cpu.get_cpu_capability()
    return [f for f in ISA_FLAGS.get(capability, []) if f.startswith('-m')]


def build_directory(version: str, ncnn_dir: str, flags: List[str]) -> str:
    """Where the module is built: keyed by its sources, flags and compiler,
    ncnn's version and install folder (the OpenMP runtime it links), and
    Python's headers."""
    key = hashlib.sha1()
    for path in layer_sources():
        with open(path, 'rb') as f:
            key.update(osp.basename(path).encode() + b'\0' + f.read())
    key.update('|'.join(
        (*flags, os.environ.get('CXX', 'c++'), version, ncnn_dir,
         sysconfig.get_paths()['include'])).encode())
    return osp.join(cache_root(), 'ncnn', f'{MODULE}_{key.hexdigest()[:10]}')


def module_path(directory: str) -> str:
    return osp.join(directory, MODULE + sysconfig.get_config_var('EXT_SUFFIX'))


def build(version: str, ncnn_dir: str, flags: List[str],
          directory: str) -> str:
    """Compile the module into ``directory``; its path."""
    target = module_path(directory)
    if osp.isfile(target):
        return target
    root = configured_source(version)
    compiler = os.environ.get('CXX', 'c++')
    includes = [
        '-I' + osp.join(root, 'python', 'pybind11', 'include'),
        '-I' + osp.join(root, 'src'), '-I' + osp.join(root, 'build', 'src'),
        '-I' + sysconfig.get_paths()['include']
    ]
    sources = [p for p in layer_sources() if p.endswith('.cpp')] + [
        osp.join(root, 'src', 'paramdict.cpp')]
    os.makedirs(osp.dirname(directory), exist_ok=True)
    staging = tempfile.mkdtemp(dir=osp.dirname(directory),
                               prefix='.build-')
    try:
        def compile_one(source: str) -> str:
            obj = osp.join(staging, osp.basename(source) + '.o')
            run([compiler, '-c', *CXXFLAGS, *flags, *includes, source, '-o',
                 obj])
            return obj

        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            objects = list(pool.map(compile_one, sources))
        openmp = wheel_openmp(ncnn_dir)
        # linked to the wheel's libgomp, not -fopenmp's own (module doc)
        run([compiler, '-shared', '-Wl,--gc-sections', *objects, openmp,
             '-Wl,-rpath,' + osp.dirname(openmp), '-lm', '-o',
             module_path(staging)])
        for obj in objects:
            os.remove(obj)
        publish_dir(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def run(command: List[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        errors = [line for line in result.stderr.splitlines()
                  if 'error' in line] or result.stderr.splitlines() or ['?']
        raise NCNNLayersUnavailable(
            f'compiling mmca\'s ncnn layers failed: {errors[0].strip()}')


def openmp_is_the_wheels() -> bool:
    """Whether ncnn's OpenMP calls went to the wheel's own runtime rather
    than torch's.

    torch puts its OpenMP runtime in the process's global scope
    (``libtorch_global_deps``, loaded ``RTLD_GLOBAL``), which the dynamic
    linker searches before a library's own dependencies: ncnn, imported
    after torch (as in every mmca process), runs its threads on torch's
    runtime; imported before, on the one it bundles.
    """
    order = list(sys.modules)
    return 'torch' not in order or order.index('ncnn') < order.index('torch')


@lru_cache(maxsize=None)
def load_ncnn_layers() -> ModuleType:
    """The compiled module: ``CoordAttention``, an ``ncnn.Layer``.

    Raises:
        NCNNLayersUnavailable: no ncnn, no known source for its version, no
            compiler or cmake, or a failed build.
    """
    if platform.system() != 'Linux':
        raise NCNNLayersUnavailable(
            'mmca builds its ncnn layers on Linux only; export with '
            '--ca-form avgpool:broadcast for ncnn\'s stock layers')
    version, ncnn_dir = ncnn_install()
    flags = isa_flags()
    path = build(version, ncnn_dir, flags,
                 build_directory(version, ncnn_dir, flags))
    loader = importlib.machinery.ExtensionFileLoader(MODULE, path)
    spec = importlib.util.spec_from_file_location(MODULE, path,
                                                  loader=loader)
    previous = sys.getdlopenflags()
    if openmp_is_the_wheels():
        # bind the module's OpenMP calls to its own dependency, the wheel's
        # runtime, ahead of torch's global one (module doc)
        sys.setdlopenflags(previous | os.RTLD_DEEPBIND)
    try:
        # the library is opened as the module is created
        module = importlib.util.module_from_spec(spec)
    finally:
        sys.setdlopenflags(previous)
    loader.exec_module(module)
    return module
