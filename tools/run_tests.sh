#!/usr/bin/env bash
# Install (or reuse) .venv, then run the test suite. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh"
cd "$ROOT"
exec .venv/bin/python -m pytest "$@"
