#!/usr/bin/env bash
# The main job on a fresh machine: install (or reuse) .venv, then count the
# paper's ImageNet models beside its figures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh"
cd "$ROOT"
.venv/bin/python tools/analysis_tools/get_flops.py --paper-table
