"""tools/kill_resume_harness.py: SIGKILLed and resumed, a run still ends
whole (the short version of the runs in docs/reliability.md)."""
import pytest
import torch
from tiny_demo import CONFIGS, tiny_options
from tool_process import run_tool

pytestmark = pytest.mark.slow  # trains, killed and resumed


def test_a_run_killed_twice_resumes_to_its_final_epoch(tiny_set, repo_root,
                                                       tmp_path):
    work_dir = tmp_path / 'run'
    result = run_tool(
        ['tools/kill_resume_harness.py', CONFIGS['cls'], '--kills', '2',
         '--max-delay', '1', '--seed', '0',
         *tiny_options('cls', tiny_set('cls'), work_dir, 4),
         'train_cfg.val_interval=2'], repo_root, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0] == ['kill', 'time', '(s)', 'phase', 'resumed', 'from',
                       'iterations', 'grace', '(s)', 'ok']
    kills = {row[0]: row for row in rows[1:]}
    assert list(kills) == ['1', '2', 'final'], result.stdout
    assert all(row[-1] == 'yes' for row in kills.values()), result.stdout
    # kill 1 came after attempt 1's first checkpoint, kill 2 mid-write
    assert kills['2'][2:4] == ['checkpoint', 'write'], result.stdout
    assert kills['2'][-4].startswith('epoch_'), result.stdout
    assert kills['final'][-4].startswith('epoch_'), result.stdout
    assert (work_dir / 'last_checkpoint').read_text() == 'epoch_4.pth'
    checkpoint = torch.load(work_dir / 'epoch_4.pth', map_location='cpu',
                            weights_only=False)
    assert checkpoint['meta']['epoch'] == 4


def test_a_run_stopped_twice_by_ctrl_c_trains_each_iteration_once(
        tiny_set, repo_root, tmp_path):
    # Ctrl-C reaches the whole process group, dataloader workers included;
    # the harness checks that none outlives the run
    work_dir = tmp_path / 'run'
    result = run_tool(
        ['tools/kill_resume_harness.py', CONFIGS['cls'], '--kills', '2',
         '--signal', 'INT', '--max-delay', '1', '--seed', '1',
         *tiny_options('cls', tiny_set('cls'), work_dir, 4),
         'train_cfg.val_interval=2', 'train_dataloader.num_workers=2',
         'train_dataloader.persistent_workers=True'], repo_root,
        timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [row[0] for row in rows] == ['1', '2', 'final'], result.stdout
    assert all(row[-1] == 'yes' for row in rows), result.stdout
    # each stop saved an iter_N.pth the next attempt resumed from, or
    # (stopped in validation) left the epoch checkpoint as the resume point
    assert rows[1][-4].endswith('.pth') and rows[2][-4].endswith('.pth')
    assert sum(int(row[-3]) for row in rows) == 8, result.stdout
    for number in (1, 2):
        log = (work_dir / f'harness_attempt_{number}.log').read_text()
        assert 'Traceback' not in log
        assert sum(line.startswith('stopped: SIGINT')
                   for line in log.splitlines()) == 1, log[-2000:]
