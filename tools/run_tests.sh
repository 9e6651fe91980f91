#!/usr/bin/env bash
# Install (or reuse) .venv, then run the test suite, a pytest-xdist worker
# per core (tests/conftest.py divides the threads among them). Extra
# arguments go to pytest: -n 0 runs it in one process.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh"
cd "$ROOT"
exec .venv/bin/python -m pytest -n auto --dist worksteal "$@"
