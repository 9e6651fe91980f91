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
# no validation while training: test.py below evaluates the val set once
# (a validation at the last epoch would repeat that evaluation)
.venv/bin/python tools/train.py "$CONFIG" --work-dir "$WORK_DIR" --resume \
    --cfg-options val_cfg=None val_dataloader=None val_evaluator=None
# The machine's speed from the training log (a user can tell a slow machine
# from a broken install) and the checkpoint to test (last_checkpoint names it
# relative to the work dir; mmca/engine/last_checkpoint.py reads it), in one
# process: each start imports the whole stack.
read -r speed checkpoint < <(.venv/bin/python - "$WORK_DIR" <<'EOF'
import sys

from mmca.analysis import seconds_per_iteration
from mmca.engine import read_last_checkpoint
from mmca.utils import InputError

work_dir = sys.argv[1]
try:
    speed = f'{seconds_per_iteration(work_dir):.2f}'
except InputError:  # a session that trained nothing, e.g. after the end
    speed = '?'
print(speed, read_last_checkpoint(work_dir))
EOF
)
.venv/bin/python tools/test.py "$CONFIG" "$checkpoint" \
    --work-dir "$WORK_DIR" 2>&1 | tee "$WORK_DIR/test.log"
echo "[demo] train + evaluate took $(( $(date +%s) - start )) s" \
     "(training: $speed s an iteration);" \
     "$(grep -o 'coco/bbox_mAP: [0-9.]*' "$WORK_DIR/test.log" | tail -1)" \
     "(checkpoints, logs and metrics in $WORK_DIR)"
