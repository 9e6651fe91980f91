#!/usr/bin/env bash
# Create (or reuse) .venv at the repo root and install mmca with its OpenMMLab stack.
# A second run is quick: every step is skipped when its package is already there.
#
# CPU machines get torch==2.13.0 (CPU build). On a GPU machine set TORCH_SPEC, e.g.
#   TORCH_SPEC="torch==2.1.2 --index-url https://download.pytorch.org/whl/cu121" bash tools/install.sh
# and mmcv is then built with CUDA ops against that torch.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"

[ -x "$PY" ] || python3 -m venv "$VENV"
pip_install() { "$PY" -m pip install --disable-pip-version-check -q "$@"; }
have() { "$PY" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" 2>/dev/null; }

# Build prerequisites of mmcv: its setup.py imports pkg_resources (setuptools<70) and torch.
have torch "$(echo "$TORCH_SPEC" | sed -n 's/^torch==\([^ ]*\).*/\1/p')" || pip_install $TORCH_SPEC
"$PY" -c "import numpy, wheel, pkg_resources" 2>/dev/null || pip_install "numpy<2" "setuptools<70" wheel

# mmcv 2.1.0 has no wheel for this torch: build it with ops (about 6 min on 2 cores, cached by pip after).
if ! have mmcv 2.1.0 || ! "$PY" -c "import mmcv.ops" 2>/dev/null; then
    echo "[install] building mmcv 2.1.0 with ops (first time only, ~6 min on 2 cores)"
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-2}" pip_install --no-build-isolation mmcv==2.1.0
fi

"$PY" -c "import mmca" 2>/dev/null || pip_install -r "$ROOT/requirements.txt" && pip_install --no-deps -e "$ROOT"
echo "[install] ready: $VENV ($("$PY" -c 'import torch, mmcv, mmdet, mmseg; print(f"torch {torch.__version__}, mmcv {mmcv.__version__}, mmdet {mmdet.__version__}, mmseg {mmseg.__version__}")'))"
