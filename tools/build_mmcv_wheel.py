"""Build an mmcv wheel with ops against the torch installed beside it.

  MMCV_WITH_OPS=1 python tools/build_mmcv_wheel.py OUT_DIR [--version 2.1.0]

mmcv 2.1.0's setup.py passes ``-std=c++17`` for its C++ ops, and torch's
headers from 2.10 on need C++20. Without a ``-std`` flag of its own an
extension gets the standard that torch's ``BuildExtension`` chooses for the
installed torch, so this drops mmcv's flag from the sdist and builds it.

The build runs in a throwaway venv that sees this environment's packages
(torch) through a ``.pth`` file and has its own setuptools < 70, which
mmcv's setup.py needs for ``pkg_resources``. This environment keeps the
setuptools torch pins (>= 77), so pip never finds the two at odds, and a
build stopped halfway leaves nothing to restore.

The compile is a ninja build of one object per source; every 30 s, and at
each tenth of the objects, a line says how many are written and how long
the rest will take. The build's whole output goes to
``OUT_DIR/mmcv-VERSION-build.log``, kept when the build fails.
tools/install.sh calls this once per torch build.
"""
import argparse
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import venv
from pathlib import Path
from typing import List, Optional, Tuple

PINNED_STANDARD = "extra_compile_args['cxx'] = ['-std=c++17']"
# setuptools 70 dropped the pkg_resources API mmcv 2.1.0's setup.py uses;
# ninja makes torch's BuildExtension compile MAX_JOBS objects at a time
# (without it the sources compile one by one) and writes the build.ninja
# that the progress lines count against.
BUILD_REQUIREMENTS = ['setuptools>=69,<70', 'wheel', 'numpy<2', 'ninja']
# One torch-written ninja target per compiled source; ninja escapes a space
# in a path as '$ ' (and ':' as '$:' on Windows).
OBJECT_TARGET = re.compile(r'^build ((?:\$.|[^$: ])+): \w*compile ')
REPORT_EVERY_S = 30.0
REPORT_STEPS = 10


def run_quietly(cmd: List[str], **kwargs) -> None:
    """Runs ``cmd``; its output is shown only if it fails."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f'error: {" ".join(cmd)} failed '
                         f'(exit status {result.returncode})')


def compile_progress(build_dir: Path) -> Optional[Tuple[int, int]]:
    """How far the compile under setuptools' ``build_dir`` is.

    Returns ``(written, planned)``: the object files the ``build.ninja`` of
    torch's ``BuildExtension`` names, and how many of them exist; ``None``
    before that file is written.
    """
    ninja_files = sorted(build_dir.glob('temp*/build.ninja'))
    if not ninja_files:
        return None
    objects = []
    for line in ninja_files[0].read_text().splitlines():
        match = OBJECT_TARGET.match(line)
        if match:
            objects.append(Path(re.sub(r'\$(.)', r'\1', match.group(1))))
    return sum(obj.is_file() for obj in objects), len(objects)


def minutes(seconds: float) -> str:
    """``'3m10s'``, or ``'45s'`` under a minute."""
    seconds = round(seconds)
    return f'{seconds // 60}m{seconds % 60:02d}s' if seconds >= 60 \
        else f'{seconds}s'


def progress_line(written: int, planned: int, elapsed: float) -> str:
    """``'120/350 objects, 3m10s elapsed, about 6m left'``: the time left
    is the time so far per written object times the objects still to
    write."""
    line = f'{written}/{planned} objects, {minutes(elapsed)} elapsed'
    if 0 < written < planned:
        left = elapsed / written * (planned - written)
        line += (f', about {round(left / 60)}m left' if left >= 90
                 else ', a minute or so left')
    return line


class ProgressReport:
    """Decides when a progress line is due: every ``REPORT_EVERY_S``
    seconds and each time another ``1 / REPORT_STEPS`` of the objects is
    written."""

    def __init__(self, start: float):
        self.start = start
        self.last_time = start
        self.last_step = 0

    def due(self, written: int, planned: int, now: float) -> bool:
        step = written * REPORT_STEPS // planned if planned else 0
        if step > self.last_step or now - self.last_time >= REPORT_EVERY_S:
            self.last_step, self.last_time = step, now
            return True
        return False


def make_build_env(env_dir: Path) -> Path:
    """A venv with ``BUILD_REQUIREMENTS`` that also sees this interpreter's
    packages; returns its python."""
    venv.create(env_dir, with_pip=True)
    python = env_dir / 'bin' / 'python'
    run_quietly([str(python), '-m', 'pip', 'install',
                 '--disable-pip-version-check', '-q', *BUILD_REQUIREMENTS])
    # Written after the install, so that pip there never sees torch's pin.
    site_dir = subprocess.run(
        [str(python), '-c', 'import sysconfig; '
         'print(sysconfig.get_paths()["purelib"])'],
        capture_output=True, text=True, check=True).stdout.strip()
    parents = dict.fromkeys(sysconfig.get_paths()[key]
                            for key in ('purelib', 'platlib'))
    (Path(site_dir) / 'parent_environment.pth').write_text(
        ''.join(f'{path}\n' for path in parents))
    return python


def build_with_progress(cmd: List[str], source: Path, log_path: Path,
                        env: dict) -> None:
    """Runs the build ``cmd`` with its output in ``log_path``, printing
    progress lines while ninja compiles under ``source / 'build'``."""
    started = report = None
    linking = False
    with open(log_path, 'w') as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                   env=env)
        while process.poll() is None:
            time.sleep(2)
            progress = compile_progress(source / 'build')
            if progress is None:
                continue
            written, planned = progress
            now = time.monotonic()
            if report is None:
                started, report = now, ProgressReport(now)
                jobs = env.get('MAX_JOBS')
                print(f'mmcv: compiling {planned} objects'
                      + (f', {jobs} at a time' if jobs else ''), flush=True)
            elif written < planned:
                if report.due(written, planned, now):
                    line = progress_line(written, planned, now - started)
                    print(f'mmcv: {line}', flush=True)
            elif not linking:
                linking = True
                print(f'mmcv: {planned} objects in {minutes(now - started)}; '
                      'linking', flush=True)
    if process.returncode != 0:
        tail = log_path.read_text(errors='replace').splitlines()[-40:]
        sys.stderr.write('\n'.join(tail) + '\n')
        raise SystemExit(f'error: the mmcv build failed; its whole output is '
                         f'in {log_path}')
    log_path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir', type=Path, help='where to write the wheel')
    parser.add_argument('--version', default='2.1.0', help='mmcv version')
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        print(f'mmcv: setting up a build venv and downloading the '
              f'{args.version} sources', flush=True)
        python = make_build_env(Path(tmp) / 'build-env')
        # pip runs the sdist's setup.py for its metadata: here, beside the
        # build venv's setuptools (an isolated env would get the newest
        # setuptools, which has no pkg_resources)
        run_quietly([str(python), '-m', 'pip', 'download',
                     '--disable-pip-version-check', '--no-deps',
                     '--no-build-isolation', '--no-binary', ':all:', '-d',
                     tmp, f'mmcv=={args.version}'])
        with tarfile.open(next(Path(tmp).glob('mmcv-*.tar.gz'))) as sdist:
            sdist.extractall(tmp, filter='data')
        source = Path(tmp) / f'mmcv-{args.version}'
        setup = source / 'setup.py'
        text = setup.read_text()
        if PINNED_STANDARD not in text:
            raise SystemExit(f'error: mmcv {args.version} setup.py no longer '
                             f'has {PINNED_STANDARD!r}; update {__file__}')
        setup.write_text(text.replace(PINNED_STANDARD,
                                      "extra_compile_args['cxx'] = []"))
        env = dict(os.environ)
        env['PATH'] = f'{python.parent}{os.pathsep}{env.get("PATH", "")}'
        build_with_progress(
            [str(python), '-m', 'pip', 'wheel', '--disable-pip-version-check',
             '--no-build-isolation', '--no-deps', '--no-cache-dir', '-v',
             '-w', str(args.out_dir.resolve()), str(source)],
            source, args.out_dir / f'mmcv-{args.version}-build.log', env)
    print(f'mmcv: wheel built in {minutes(time.monotonic() - start)}',
          flush=True)


if __name__ == '__main__':
    main()
