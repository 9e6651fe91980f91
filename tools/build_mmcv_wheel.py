"""Build an mmcv wheel with ops against the torch installed beside it.

  MMCV_WITH_OPS=1 python tools/build_mmcv_wheel.py OUT_DIR [--version 2.1.0]

mmcv 2.1.0's setup.py passes ``-std=c++17`` for its C++ ops, and torch's
headers from 2.10 on need C++20. Without a ``-std`` flag of its own an
extension gets the standard that torch's ``BuildExtension`` chooses for the
installed torch, so this drops mmcv's flag from the sdist and builds it.
tools/install.sh calls it once per torch build.
"""
import argparse
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PINNED_STANDARD = "extra_compile_args['cxx'] = ['-std=c++17']"


def pip(*args: str) -> None:
    subprocess.run([sys.executable, '-m', 'pip', '--disable-pip-version-check',
                    '-q', *args], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir', type=Path, help='where to write the wheel')
    parser.add_argument('--version', default='2.1.0', help='mmcv version')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pip('download', '--no-deps', '--no-binary', ':all:', '-d', tmp,
            f'mmcv=={args.version}')
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
        pip('wheel', '--no-build-isolation', '--no-deps', '--no-cache-dir',
            '-w', str(args.out_dir), str(source))


if __name__ == '__main__':
    main()
