#!/usr/bin/env bash
# Install (or reuse) .venv, then run the test suite, a pytest-xdist worker
# per core as far as memory allows (tests/conftest.py divides the threads
# among them). Extra arguments go to pytest: -n 0 runs it in one process.
# --fast leaves out the tests marked slow (trainings, runtime exports, tool
# processes): every module's unit tests, in under 2 minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh" --deploy
cd "$ROOT"
# A worker holds about 1.3 GB and the tool process it may start as much
# again (two for a 2-process test): 4 GiB each keeps many cores from
# running the machine out of memory.
workers=auto
if [[ -r /proc/meminfo ]] && command -v nproc > /dev/null; then
    by_memory=$(( $(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) / (4 * 1024 * 1024) ))
    workers=$(( by_memory < $(nproc) ? by_memory : $(nproc) ))
    (( workers >= 1 )) || workers=1
fi
select=()
if [[ "${1:-}" == "--fast" ]]; then shift; select=(-m "not slow"); fi
exec .venv/bin/python -m pytest -n "$workers" --dist worksteal "${select[@]}" "$@"
