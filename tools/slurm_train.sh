#!/usr/bin/env bash
# bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args]
#
# Submits a batch job (sbatch) that survives its time limit and pre-emption:
# Slurm sends SIGUSR1 STOP_SECONDS (default 120) before the time limit, and
# SIGTERM on pre-emption; tools/train.py then saves after the current
# iteration and exits with status 75, and the job requeues itself
# (scontrol requeue, or Slurm's own requeue of a pre-empted --requeue job).
# The requeued job (SLURM_RESTART_COUNT > 0) resumes from last_checkpoint.
# Run inside an allocation (salloc, or a batch script of your own), it trains
# there directly. GPUS (total), GPUS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS and
# SBATCH_ARGS tune the job; docs/reliability.md measures the grace a stop
# needs.
set -uo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
STOP_SECONDS=${STOP_SECONDS:-120}
SRUN_ARGS=${SRUN_ARGS:-""}
SBATCH_ARGS=${SBATCH_ARGS:-""}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# the exit status of a run that a signal stopped after saving (mmca.cli)
SUSPENDED=75

if [ -z "${SLURM_JOB_ID:-}" ]; then
    mkdir -p "$WORK_DIR"
    exec sbatch -p "$PARTITION" --job-name="$JOB_NAME" \
        --ntasks="$GPUS" --ntasks-per-node="$GPUS_PER_NODE" \
        --gres=gpu:"$GPUS_PER_NODE" --cpus-per-task="$CPUS_PER_TASK" \
        --requeue --signal=USR1@"$STOP_SECONDS" --open-mode=append \
        --output="$WORK_DIR/slurm-%j.out" $SBATCH_ARGS \
        "$ROOT/tools/slurm_train.sh" "$@"
fi

PYTHONPATH="$ROOT":${PYTHONPATH:-} \
srun --kill-on-bad-exit=1 $SRUN_ARGS \
    python -u "$ROOT/tools/train.py" "$CONFIG" --work-dir="$WORK_DIR" \
    --launcher=slurm "${@:5}"
status=$?
if [ "$status" -eq "$SUSPENDED" ]; then
    echo "slurm_train.sh: training stopped and saved; requeueing job $SLURM_JOB_ID"
    scontrol requeue "$SLURM_JOB_ID" || echo "slurm_train.sh: this job cannot be requeued (not a batch job?); continue with the same command"
fi
exit "$status"
