#!/usr/bin/env bash
# Create (or reuse) .venv at the repo root and install mmca with its
# OpenMMLab stack. A second run takes seconds: each step is skipped when what
# it installs is already there.
#
# torch: CPU machines of this project get torch==2.13.0, a CPU build from the
# local wheel store. A GPU user sets TORCH_SPEC to a CUDA build, e.g.
#   TORCH_SPEC="torch==2.1.2 --index-url https://download.pytorch.org/whl/cu121" bash tools/install.sh
# and mmcv is then compiled with its CUDA ops against that torch.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
STAMP="$VENV/.mmca-installed"

log() { echo "[install] $*"; }
pip_install() { "$PY" -m pip install --disable-pip-version-check -q "$@" 2>&1 | grep -v "^WARNING: Location" || true; }

if [ ! -x "$PY" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
fi

if ! "$PY" -c "import torch" 2>/dev/null; then
    log "installing $TORCH_SPEC"
    pip_install $TORCH_SPEC
fi

# mmcv 2.1.0 (the newest mmdet 3.3.0 and mmseg 1.2.2 accept) has no wheel for
# this torch: build it with ops. Its setup.py imports pkg_resources, so the
# build needs setuptools<70; torch's own pin is restored afterwards. pip
# caches the built wheel, so this is slow only once per machine.
if ! "$PY" -c "import mmcv.ops" 2>/dev/null; then
    log "building mmcv 2.1.0 with ops (first time on this machine: ~6 min on 2 cores)"
    log "(pip warns that torch wants setuptools>=77 until the pin is restored after the build)"
    pip_install "numpy<2" "setuptools<70" wheel
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-2}" pip_install --no-build-isolation mmcv==2.1.0
    pip_install "setuptools>=77.0.3,<81"
    "$PY" -c "import mmcv.ops" || { log "mmcv build failed"; exit 1; }
fi

fingerprint="$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$fingerprint" ]; then
    log "installing requirements.txt and mmca (editable)"
    pip_install -r "$ROOT/requirements.txt"
    pip_install --no-deps -e "$ROOT"
    "$PY" -c "import mmca, mmdet, mmseg, pycocotools" || { log "install failed"; exit 1; }
    echo "$fingerprint" > "$STAMP"
fi
# mmca's fused CPU ops compile once per machine (about 15 s, cached under
# ~/.cache/torch_extensions) and rebuild when their source changes. Without
# a compiler CoordAttention falls back to plain PyTorch ops, with a warning.
if "$PY" -c "from mmca.ops import load_ops; raise SystemExit(not load_ops())"; then
    log "mmca C++ ops: built"
else
    log "mmca C++ ops: unavailable (see the warning above); plain PyTorch ops will be used"
fi
log "ready: $("$PY" -c 'import torch, mmcv, mmdet, mmseg; print(f"torch {torch.__version__}, mmcv {mmcv.__version__}, mmdet {mmdet.__version__}, mmseg {mmseg.__version__}")')"
