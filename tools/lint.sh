#!/usr/bin/env bash
# OpenMMLab's lint checks, configured in setup.cfg: flake8 (pycodestyle and
# pyflakes) and isort's import order. Installs (or reuses) .venv first, as
# tools/run_tests.sh does (the same requirements, so the same .venv).
# `--fix` sorts the imports in place; line lengths are fixed by hand.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh" --deploy
cd "$ROOT"
if [[ "${1:-}" == "--fix" ]]; then
    .venv/bin/isort .
else
    .venv/bin/isort --check-only --diff .
fi
.venv/bin/flake8 .
echo "lint: ok"
