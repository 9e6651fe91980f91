"""tools/kill_resume_harness.py: SIGKILLed and resumed, a run still ends
whole (the short version of the runs in docs/reliability.md)."""
import subprocess
import sys

import torch


def test_a_run_killed_twice_resumes_to_its_final_epoch(repo_root, tmp_path):
    data = tmp_path / 'data'
    made = subprocess.run(
        [sys.executable, 'tools/make_demo_data.py', '--out', str(data),
         '--tasks', 'cls', '--num-train', '8', '--num-val', '4'],
        cwd=repo_root, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    root = data / 'imagenet_shapes'
    work_dir = tmp_path / 'run'
    result = subprocess.run(
        [sys.executable, 'tools/kill_resume_harness.py',
         'configs/demo/mbv2_ca_shapes_cls.py', '--work-dir', str(work_dir),
         '--kills', '2', '--max-delay', '1', '--seed', '0', '--cfg-options',
         *[f'{split}_dataloader.dataset.data_root={root}/'
           for split in ('train', 'val', 'test')],
         'train_dataloader.batch_size=4', 'train_cfg.max_epochs=4',
         'train_cfg.val_interval=2', 'custom_hooks=[]',
         'default_hooks.logger.interval=1'],
        cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0] == ['kill', 'time', '(s)', 'phase', 'resumed', 'from',
                       'ok']
    kills = {row[0]: row for row in rows[1:]}
    assert list(kills) == ['1', '2', 'final'], result.stdout
    assert all(row[-1] == 'yes' for row in kills.values()), result.stdout
    # kill 1 came after attempt 1's first checkpoint, kill 2 mid-write
    assert kills['2'][2:4] == ['checkpoint', 'write'], result.stdout
    assert kills['2'][-2].startswith('epoch_'), result.stdout
    assert kills['final'][-2].startswith('epoch_'), result.stdout
    last = (work_dir / 'last_checkpoint').read_text()
    assert last == str(work_dir / 'epoch_4.pth')
    checkpoint = torch.load(last, map_location='cpu', weights_only=False)
    assert checkpoint['meta']['epoch'] == 4
