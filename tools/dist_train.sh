#!/usr/bin/env bash
# Distributed training with torchrun: bash tools/dist_train.sh CONFIG NPROC [train.py args]
# NPROC processes per node (one per GPU; without GPUs, CPU processes over gloo).
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# MAX_RESTARTS=N lets torchrun restart the workers up to N times when one
# fails or is stopped by a signal (exit 75 after saving, see tools/train.py);
# the restarted workers resume from last_checkpoint.
CONFIG=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
MAX_RESTARTS=${MAX_RESTARTS:-0}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-$([ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python)}

PYTHONPATH="$ROOT":$PYTHONPATH \
"$PYTHON" -m torch.distributed.run \
    --nnodes=$NNODES --node_rank=$NODE_RANK --master_addr=$MASTER_ADDR \
    --nproc_per_node=$NPROC --master_port=$PORT --max-restarts=$MAX_RESTARTS \
    "$ROOT/tools/train.py" "$CONFIG" --launcher pytorch "${@:3}"
