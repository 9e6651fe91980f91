"""Kill or stop a training run at random moments and resume it, then check
the result.

  python tools/kill_resume_harness.py CONFIG --work-dir DIR [--kills 5]
      [--signal {KILL,TERM,INT,USR1}] [--seed 0] [--max-delay 10]
      [--timeout 900] [--cfg-options k=v ...]

Runs ``tools/train.py CONFIG`` (with ``--cfg-options``, e.g. a short
schedule on a tiny demo set) into the empty ``--work-dir``, SIGKILLs it
``--kills`` times and restarts it with ``--resume`` after each kill. Odd
kills come at a random moment, up to ``--max-delay`` seconds after the
attempt saved its first checkpoint (so each attempt makes progress); even
kills come while a checkpoint is being written (the moment its temporary
file appears). After every kill the work dir must hold
no partial checkpoint: ``last_checkpoint`` names a file that loads, and
every ``*.pth`` loads. Each restart must resume from the checkpoint
``last_checkpoint`` named. The last run is left to finish; it must exit 0
at the configured final epoch or iteration, and leave no temporary file.

``--signal TERM`` (INT, USR1) sends that signal instead, at a random moment
up to ``--max-delay`` seconds after the attempt's first training iteration,
and checks that each stop saved the iteration it reported, that no process
outlived the run, and that the iterations trained over all attempts equal
the uninterrupted run's (mmca/testing/kill_resume.py).

Prints a table (kill, seconds into the attempt, phase, resumed from,
iterations trained, seconds from the signal to the exit, ok)
and exits 1 if any check failed. Each attempt's output is kept as
``DIR/harness_attempt_<n>.log``. docs/reliability.md shows runs on the
three demo configs.
"""
import argparse
import sys

from mmca.cli import run_tool
from mmca.testing import attempts_table, kill_and_resume, passed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', required=True,
                        help='an empty or new directory for the run')
    parser.add_argument('--kills', type=int, default=5,
                        help='how many times to kill or stop the run')
    parser.add_argument('--signal', default='KILL',
                        choices=['KILL', 'TERM', 'INT', 'USR1'],
                        help='SIGKILL, or a signal that asks the run to save '
                        'and stop')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the random kill moments')
    parser.add_argument('--max-delay', type=float, default=10.0,
                        help='latest random kill, in seconds after the '
                        "attempt's first checkpoint")
    parser.add_argument('--timeout', type=float, default=900.0,
                        help='give up on an attempt after this many seconds')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='override config keys, xxx=yyy (passed on to '
                        'train.py as given)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    attempts = kill_and_resume(args.config, args.work_dir, args.kills,
                               args.seed, args.max_delay, args.timeout,
                               args.cfg_options, args.signal)
    print(attempts_table(attempts))
    if not passed(attempts):
        sys.exit(1)


if __name__ == '__main__':
    run_tool(main)
