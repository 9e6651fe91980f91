#!/usr/bin/env bash
# Create (or reuse) .venv at the repo root and install mmca with its
# OpenMMLab stack. A second run takes seconds: each step is skipped when what
# it installs is already there.
#
# torch: the default is torch 2.14.1 with its matching torchvision 0.29.1
# (mmpretrain imports torchvision). That pair is a CUDA build; it runs on the
# CPU too. A GPU user sets TORCH_SPEC to the pair that matches the driver, e.g.
#   TORCH_SPEC="torch==2.1.2 torchvision==0.16.2 --index-url https://download.pytorch.org/whl/cu121" bash tools/install.sh
# torch and torchvision must come as a released pair (torchvision's README
# lists them); a lone torchvision pulls its own torch. mmcv is then compiled
# against that torch, with CUDA ops where a GPU is visible.
set -euo pipefail
# --deploy adds the inference runtimes of requirements/deploy.txt.
REQUIREMENTS=(requirements.txt)
if [[ "${1:-}" == "--deploy" ]]; then REQUIREMENTS+=(requirements/deploy.txt); fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
TORCH_SPEC="${TORCH_SPEC:-torch==2.14.1 torchvision==0.29.1}"
# Built mmcv wheels, one folder per torch build: pip's own wheel cache keys on
# the sdist alone and would hand an mmcv built against another torch.
WHEELS="${MMCA_WHEEL_CACHE:-$HOME/.cache/mmca/wheels}"
STAMP="$VENV/.mmca-installed"

log() { echo "[install] $*"; }
pip_install() { "$PY" -m pip install --disable-pip-version-check -q "$@" 2>&1 | grep -v "^WARNING: Location" || true; }

if [ ! -x "$PY" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
fi

if ! "$PY" -c "import torch, torchvision" 2>/dev/null; then
    log "installing $TORCH_SPEC"
    pip_install $TORCH_SPEC
    "$PY" -c "import torch, torchvision" || { log "torch and torchvision do not import together: set TORCH_SPEC to a released pair"; exit 1; }
fi
torch_build="$("$PY" -c 'import torch; print(torch.__version__)')"
mmcv_stamp="$VENV/.mmcv-built-for-torch"

# mmcv 2.1.0 (the newest mmdet 3.3.0 and mmseg 1.2.2 accept) has no wheel for
# this torch: build it with ops, once per torch build, into $WHEELS/<torch>
# (tools/build_mmcv_wheel.py: lets torch choose the C++ standard, builds in
# a throwaway venv with the setuptools<70 mmcv's setup.py needs, so this
# venv keeps the setuptools torch pins, and prints the compile's progress).
# The stamp records which torch the installed mmcv was built against, so a
# torch change forces the right wheel.
if [ "$(cat "$mmcv_stamp" 2>/dev/null)" != "$torch_build" ] || ! "$PY" -c "import mmcv.ops" 2>/dev/null; then
    wheel_dir="$WHEELS/torch-$torch_build"
    if ! ls "$wheel_dir"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
        log "building mmcv 2.1.0 with ops against torch $torch_build (once per torch build: a progress line every 30 s)"
        MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-2}" "$PY" "$ROOT/tools/build_mmcv_wheel.py" "$wheel_dir" \
            | while IFS= read -r line; do log "$line"; done
    fi
    # numpy<2 first, as requirements.txt pins it: mmcv's own requirement
    # has no cap. The first call brings in mmcv's dependencies; the second
    # replaces an mmcv 2.1.0 built for another torch (--no-deps: pip checks
    # nothing, as those dependencies are there by then).
    pip_install "numpy<2"
    pip_install "$wheel_dir"/mmcv-2.1.0-*.whl
    pip_install --force-reinstall --no-deps "$wheel_dir"/mmcv-2.1.0-*.whl
    "$PY" -c "import mmcv.ops" || { log "mmcv does not import; delete $wheel_dir and run again"; exit 1; }
    echo "$torch_build" > "$mmcv_stamp"
fi

fingerprint="$(cd "$ROOT" && cat "${REQUIREMENTS[@]}" pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$fingerprint" ]; then
    log "installing ${REQUIREMENTS[*]} and mmca (editable)"
    req_args=()
    for req in "${REQUIREMENTS[@]}"; do req_args+=(-r "$ROOT/$req"); done
    pip_install "${req_args[@]}"
    pip_install --no-deps -e "$ROOT"
    "$PY" -c "import mmca, mmdet, mmseg, mmpretrain, timm, pycocotools" || { log "install failed"; exit 1; }
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
# With the runtimes, mmca's ncnn layer too (about 20 s once: ncnn's source
# from PyPI, configured and compiled against the ncnn wheel).
if [[ " ${REQUIREMENTS[*]} " == *" requirements/deploy.txt "* ]]; then
    if "$PY" -c "from mmca.ops.ncnn_layers import load_ncnn_layers as l; l()"; then
        log "mmca ncnn layer: built"
    else
        log "mmca ncnn layer: unavailable (see above); ncnn exports need --ca-form avgpool:broadcast"
    fi
fi
log "ready: $("$PY" -c 'import torch, torchvision, mmcv, mmdet, mmseg, mmpretrain, timm; print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, mmcv {mmcv.__version__}, mmdet {mmdet.__version__}, mmseg {mmseg.__version__}, mmpretrain {mmpretrain.__version__}, timm {timm.__version__}")')"
