#!/usr/bin/env bash
# The main job on a fresh machine: install (or reuse) .venv, generate the
# demo shapes data, train SSDLite320-MBv2-CA on it and evaluate it with the
# COCO metric (pycocotools). An interrupted run picks up from its last
# checkpoint when started again. Outputs: work_dirs/ssdlite_mbv2_ca_shapes/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG=configs/demo/ssdlite_mbv2_ca_shapes.py
WORK_DIR=work_dirs/ssdlite_mbv2_ca_shapes

bash "$ROOT/tools/install.sh"
cd "$ROOT"
.venv/bin/python tools/make_demo_data.py --tasks det
start=$(date +%s)
mkdir -p "$WORK_DIR"
LOG="$WORK_DIR/demo.log"
# Training ends with one evaluation of the val set (the config validates
# at its last epoch) with the averaged weights its checkpoints hold: in the
# same process, so the stack is imported once. train.py's last line gives
# its speed.
.venv/bin/python tools/train.py "$CONFIG" --work-dir "$WORK_DIR" --resume \
    2>&1 | tee "$LOG"
if ! grep -q 'coco/bbox_mAP:' "$LOG"; then
    # a run started again after its end trains nothing and validates
    # nothing: evaluate the checkpoint it ended with (last_checkpoint names
    # it relative to the work dir; mmca/engine/last_checkpoint.py reads it)
    checkpoint=$(.venv/bin/python -c 'import sys
from mmca.engine import read_last_checkpoint
print(read_last_checkpoint(sys.argv[1]))' "$WORK_DIR")
    .venv/bin/python tools/test.py "$CONFIG" "$checkpoint" \
        --work-dir "$WORK_DIR" 2>&1 | tee -a "$LOG"
fi
echo "[demo] train + evaluate took $(( $(date +%s) - start )) s" \
     "(training: $(grep -o '[0-9.]* s an iteration' "$LOG" | tail -1));" \
     "$(grep -o 'coco/bbox_mAP: [0-9.]*' "$LOG" | tail -1)" \
     "(checkpoints, logs and metrics in $WORK_DIR)"
