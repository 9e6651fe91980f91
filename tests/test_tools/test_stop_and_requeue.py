"""A run stopped by a signal under Slurm or torchrun is restarted by the
scheduler, resumes by itself and ends with the weights of a run that never
stopped (tools/slurm_train.sh, tools/dist_train.sh, on CPU processes; Slurm
itself is played by small scripts)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from tiny_demo import CONFIGS, tiny_options
from tool_process import run_tool

from mmca.cli import RUN_SUSPENDED_STATUS
from mmca.utils import load_checkpoint_safely

pytestmark = pytest.mark.slow  # trains three times

EPOCHS = 2     # 2 iterations an epoch
SEEDED = ['randomness.seed=0', 'train_cfg.val_interval=1']

#: Slurm as the scripts meet it: srun runs the task with a task's variables
#: (recording its pid, as the step's task Slurm signals), scontrol names the
#: nodes and records a requeue, sbatch records its arguments.
FAKE_SLURM = {
    'srun': '''#!/usr/bin/env bash
while [[ "$1" == -* ]]; do shift; done
echo $$ > "$FAKE_SLURM/task.pid"
export SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_LOCALID=0 SLURM_NODELIST=node1
exec "$@"
''',
    'scontrol': '''#!/usr/bin/env bash
if [ "$1" == show ]; then echo 127.0.0.1; exit 0; fi
echo "$@" >> "$FAKE_SLURM/scontrol.log"
''',
    'sbatch': '''#!/usr/bin/env bash
echo "$@" > "$FAKE_SLURM/sbatch.args"
''',
}


@pytest.fixture(scope='module')
def uninterrupted(tiny_set, repo_root, tmp_path_factory):
    """The weights of the tiny classification run that never stopped."""
    work_dir = tmp_path_factory.mktemp('whole')
    result = run_tool(['tools/train.py', CONFIGS['cls'],
                       *tiny_options('cls', tiny_set('cls'), work_dir,
                                     EPOCHS), *SEEDED], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    return weights(work_dir / f'epoch_{EPOCHS}.pth')


def weights(path: Path) -> dict:
    return load_checkpoint_safely(str(path), 'cpu')['state_dict']


def assert_same_weights(path: Path, expected: dict) -> None:
    got = weights(path)
    assert got.keys() == expected.keys()
    for name, value in got.items():
        torch.testing.assert_close(value, expected[name], rtol=0, atol=1e-6)


def signal_when_training(process, log: Path, pid_of, number) -> None:
    """Send ``number`` to ``pid_of()`` once the run logged an iteration."""
    deadline = time.monotonic() + 300
    while '(train)' not in (log.read_text() if log.exists() else ''):
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, 'no training iteration logged'
        time.sleep(0.05)
    os.kill(pid_of(), number)


def children(pids) -> list:
    """The child processes of ``pids`` (one pid or a list)."""
    found = []
    for pid in [pids] if isinstance(pids, int) else pids:
        path = Path(f'/proc/{pid}/task/{pid}/children')
        found += [int(child) for child in path.read_text().split()]
    return found


def test_a_stopped_slurm_job_requeues_and_resumes_to_the_same_weights(
        tiny_set, repo_root, tmp_path, uninterrupted):
    fake = tmp_path / 'slurm'
    fake.mkdir()
    for name, text in FAKE_SLURM.items():
        (fake / name).write_text(text)
        (fake / name).chmod(0o755)
    work_dir = tmp_path / 'run'
    options = tiny_options('cls', tiny_set('cls'), work_dir, EPOCHS)[2:]
    command = ['bash', 'tools/slurm_train.sh', 'cpu', 'tiny', CONFIGS['cls'],
               str(work_dir), *options, *SEEDED]
    path = f'{fake}:{Path(sys.executable).parent}:{os.environ["PATH"]}'
    env = dict(os.environ, FAKE_SLURM=str(fake), PATH=path,
               PYTHONUNBUFFERED='1',
               MASTER_PORT=str(29300 + os.getpid() % 300))
    env.pop('SLURM_JOB_ID', None)

    # outside an allocation it submits itself, asking for the signal and
    # the requeue
    subprocess.run(command, cwd=repo_root, env=env, check=True)
    submitted = (fake / 'sbatch.args').read_text().split()
    assert '--requeue' in submitted and '--signal=USR1@120' in submitted
    assert submitted[-len(command) + 2:] == command[2:]

    # the batch job: Slurm's USR1 before the time limit reaches the task
    env['SLURM_JOB_ID'] = '7'
    log = tmp_path / 'job.log'
    with open(log, 'w') as out:
        job = subprocess.Popen(command, cwd=repo_root, env=env, stdout=out,
                               stderr=subprocess.STDOUT)
        signal_when_training(job, log, lambda: int(
            (fake / 'task.pid').read_text()), signal.SIGUSR1)
        assert job.wait(300) == RUN_SUSPENDED_STATUS, log.read_text()[-3000:]
    text = log.read_text()
    assert 'Traceback' not in text
    stopped = [line for line in text.splitlines()
               if line.startswith('stopped: ')]
    assert len(stopped) == 1 and 'SIGUSR1: stopped after iteration' in \
        stopped[0], text[-3000:]
    assert (fake / 'scontrol.log').read_text().split() == ['requeue', '7']

    # the requeued job resumes without being told to
    env['SLURM_RESTART_COUNT'] = '1'
    again = subprocess.run(command, cwd=repo_root, env=env,
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-3000:]
    saved = stopped[0].split('saved as ')[1].split('. ')[0]
    assert f'Load checkpoint from {saved}' in again.stdout + again.stderr
    assert_same_weights(work_dir / f'epoch_{EPOCHS}.pth', uninterrupted)


def test_torchrun_restarts_a_stopped_worker_which_resumes_to_the_same_weights(
        tiny_set, repo_root, tmp_path, uninterrupted):
    work_dir = tmp_path / 'run'
    log = tmp_path / 'torchrun.log'
    env = dict(os.environ, MAX_RESTARTS='1', PYTHON=sys.executable,
               PORT=str(29600 + os.getpid() % 300), PYTHONUNBUFFERED='1')
    with open(log, 'w') as out:
        agent = subprocess.Popen(
            ['bash', 'tools/dist_train.sh', CONFIGS['cls'], '1',
             *tiny_options('cls', tiny_set('cls'), work_dir, EPOCHS),
             *SEEDED], cwd=repo_root, env=env, stdout=out,
            stderr=subprocess.STDOUT)

        def worker() -> int:
            # bash -> torchrun's agent -> the worker
            found = children(children(agent.pid))
            assert len(found) == 1, found
            return found[0]

        signal_when_training(agent, log, worker, signal.SIGTERM)
        assert agent.wait(600) == 0, log.read_text()[-3000:]
    text = log.read_text()
    assert 'SIGTERM: stopped after iteration' in text, text[-3000:]
    assert 'resumed epoch' in text, text[-3000:]
    assert_same_weights(work_dir / f'epoch_{EPOCHS}.pth', uninterrupted)


def test_a_signal_to_one_rank_stops_every_rank_at_the_same_iteration(
        tiny_set, repo_root, tmp_path):
    work_dir = tmp_path / 'run'
    log = tmp_path / 'torchrun.log'
    env = dict(os.environ, PYTHON=sys.executable, PYTHONUNBUFFERED='1',
               PORT=str(29000 + os.getpid() % 300), OMP_NUM_THREADS='1')
    with open(log, 'w') as out:
        agent = subprocess.Popen(
            ['bash', 'tools/dist_train.sh', CONFIGS['cls'], '2',
             *tiny_options('cls', tiny_set('cls'), work_dir, EPOCHS)],
            cwd=repo_root, env=env, stdout=out, stderr=subprocess.STDOUT)

        def second_rank() -> int:
            workers = children(children(agent.pid))
            assert len(workers) == 2, workers
            return next(pid for pid in workers if 'RANK=1\0' in Path(
                f'/proc/{pid}/environ').read_text())

        signal_when_training(agent, log, second_rank, signal.SIGUSR1)
        agent.wait(300)
    text = log.read_text()
    stops = [line for line in text.splitlines() if 'stopped: ' in line]
    assert len(stops) == 2, text[-3000:]
    iterations = {line.split('stopped after iteration ')[1].split()[0]
                  for line in stops}
    assert len(iterations) == 1, stops
    assert any('SIGUSR1: stopped' in line for line in stops)
    assert any('a stop signal to another process: stopped' in line
               for line in stops)
    saved = work_dir / f'iter_{iterations.pop()}.pth'
    assert (work_dir / 'last_checkpoint').read_text().endswith(saved.name)
    load_checkpoint_safely(str(saved), 'cpu')
