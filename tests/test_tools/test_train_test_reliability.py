"""train.py and test.py facing broken checkpoints, a full disk, a NaN loss,
a broken image and a second run on a live work dir (docs/reliability.md).

The session's 1-epoch run of the classification demo on its tiny set
(conftest.py; 2 iterations an epoch) gives the checkpoint each case
starts from, in a copy of its work dir.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tiny_demo import CONFIGS, tiny_options
from tool_process import error_line, run_tool

from mmca.utils import is_temp_file, load_checkpoint_safely

DEMO = CONFIGS['cls']
pytestmark = pytest.mark.slow  # trains on from the session's tiny run


def options(data_root: Path, work_dir: Path, max_epochs: int = 1):
    return tiny_options('cls', data_root, work_dir, max_epochs)


@pytest.fixture
def tiny_data(tiny_set):
    return tiny_set('cls')


@pytest.fixture
def trained(tiny_run):
    return tiny_run('cls') / 'epoch_1.pth'


@pytest.fixture
def after_epoch_1(trained, tmp_path):
    """A work dir as the 1-epoch run left it, to continue from."""
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    shutil.copy(trained, work_dir / 'epoch_1.pth')
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'epoch_1.pth'))
    return work_dir


def assert_kept_at_epoch_1(work_dir: Path) -> None:
    assert (work_dir / 'last_checkpoint').read_text() == \
        str(work_dir / 'epoch_1.pth')
    assert load_checkpoint_safely(str(work_dir / 'epoch_1.pth'))['meta'][
        'epoch'] == 1
    assert not (work_dir / 'epoch_2.pth').exists()
    assert not [name for name in os.listdir(work_dir) if is_temp_file(name)]


@pytest.mark.parametrize('entry', ['test.py', '--resume PATH', 'load_from',
                                   'init_cfg'])
def test_a_broken_checkpoint_is_one_line_naming_it(entry, trained,
                                                   tiny_data, repo_root,
                                                   tmp_path):
    broken = tmp_path / 'broken.pth'
    broken.write_bytes(trained.read_bytes()[:4096])
    work = options(tiny_data, tmp_path / 'work')
    if entry == 'test.py':
        command = ['tools/test.py', DEMO, str(broken), *work]
    elif entry == '--resume PATH':
        command = ['tools/train.py', DEMO, '--resume', str(broken), *work]
    elif entry == 'load_from':
        command = ['tools/train.py', DEMO, *work, f'load_from={broken}']
    else:
        config = tmp_path / 'pretrained.py'
        config.write_text(
            f"_base_ = '{repo_root}/{DEMO}'\n"
            "model = dict(backbone=dict(init_cfg=dict(type='Pretrained', "
            f"checkpoint='{broken}', prefix='backbone.')))\n")
        command = ['tools/train.py', str(config), *work]
    assert error_line(run_tool(command, repo_root)) == (
        f'error: checkpoint {broken} is broken: it is truncated (4096 bytes, '
        'no zip index at its end). A crash or a full disk while it was '
        'written leaves such a file; use another checkpoint, or copy or '
        'download this one again.')


def test_resume_passes_over_a_truncated_last_checkpoint(after_epoch_1,
                                                        tiny_data, repo_root):
    work_dir = after_epoch_1
    partial = work_dir / 'epoch_2.pth'
    partial.write_bytes((work_dir / 'epoch_1.pth').read_bytes()[:1000])
    (work_dir / 'last_checkpoint').write_text(str(partial))
    result = run_tool(['tools/train.py', DEMO, '--resume',
                       *options(tiny_data, work_dir, max_epochs=2)],
                      repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (f'warning: --resume passes over last_checkpoint names {partial}, '
            'which is broken: it is truncated (1000 bytes, no zip index at '
            f'its end); resuming from {work_dir}/epoch_1.pth') in result.stderr
    assert f'Load checkpoint from {work_dir}/epoch_1.pth' in result.stdout
    assert load_checkpoint_safely(str(partial))['meta']['epoch'] == 2


def test_a_full_disk_stops_the_run_and_keeps_the_last_checkpoint(
        after_epoch_1, tiny_data, repo_root):
    # a 4 MiB file size limit (ulimit -f 4096): logs fit, a 33 MB
    # checkpoint does not (the kernel fails the write with EFBIG, as ENOSPC
    # on a full disk; Python ignores the SIGXFSZ that comes with it)
    # (bash sets it: a preexec_fn is unsafe in a process with threads)
    command = shlex.join([sys.executable, 'tools/train.py', DEMO, '--resume',
                          *options(tiny_data, after_epoch_1, max_epochs=2)])
    result = subprocess.run(
        ['bash', '-c', f'ulimit -f 4096 && exec {command}'], cwd=repo_root,
        capture_output=True, text=True)
    assert error_line(result, status=3) == (
        f'error: could not save {after_epoch_1}/epoch_2.pth: the file is '
        "larger than allowed (ulimit -f, or the file system's limit). "
        'Training stopped; '
        f'{after_epoch_1}/epoch_1.pth and last_checkpoint are kept as they '
        'were. Make room and continue with tools/train.py --resume.')
    assert_kept_at_epoch_1(after_epoch_1)


def test_a_nan_loss_stops_the_run_naming_iteration_and_term(
        after_epoch_1, tiny_data, repo_root):
    result = run_tool(['tools/train.py', DEMO, '--resume',
                       *options(tiny_data, after_epoch_1, max_epochs=2),
                       'model.head.loss.loss_weight=nan'], repo_root)
    assert error_line(result, status=3).startswith(
        'error: loss became nan at iteration 3 (epoch 2, batch 1). Training '
        'stopped without saving these weights; the last checkpoint, '
        f'{after_epoch_1}/epoch_1.pth, is kept.')
    assert_kept_at_epoch_1(after_epoch_1)


def test_a_broken_image_in_a_worker_stops_the_run_naming_it(
        after_epoch_1, tiny_data, repo_root, tmp_path):
    data = tmp_path / 'data'
    shutil.copytree(tiny_data, data)
    image = data / 'train' / 'star' / 'star_000000.JPEG'
    image.write_bytes(image.read_bytes()[:1000])
    result = run_tool(['tools/train.py', DEMO, '--resume',
                       *options(data, after_epoch_1, max_epochs=2),
                       'train_dataloader.num_workers=2'], repo_root)
    assert error_line(result) == (
        f'error: image {image} (line 5 of {data}/meta/train.txt) is broken: '
        'it is truncated (a JPEG of 1000 bytes without its end marker). '
        'Replace the file or remove its entry; training can leave broken '
        'images out with --cfg-options broken_images=skip.')
    assert_kept_at_epoch_1(after_epoch_1)


def test_a_second_run_on_a_live_work_dir_is_refused(after_epoch_1, tiny_data,
                                                    repo_root):
    work = options(tiny_data, after_epoch_1, max_epochs=1000)
    first = subprocess.Popen([sys.executable, 'tools/train.py', DEMO,
                              '--resume', *work], cwd=repo_root,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        lock = after_epoch_1 / 'train.lock'
        deadline = time.time() + 120
        while not (lock.exists() and lock.read_text()):
            assert first.poll() is None and time.time() < deadline
            time.sleep(0.1)
        assert json.loads(lock.read_text())['pid'] == first.pid
        second = run_tool(['tools/train.py', DEMO, '--resume', *work],
                          repo_root)
        assert first.poll() is None         # still training
    finally:
        first.kill()
        first.wait()
    assert error_line(second).startswith(
        f'error: {after_epoch_1} is in use by another training run (pid '
        f'{first.pid} on ')


def test_resume_under_another_optimizer_setup_is_one_line(
        after_epoch_1, tiny_data, repo_root):
    """The demo's optimizer has two parameter groups (decay or not,
    GroupedOptimWrapperConstructor); mmengine's default constructor makes
    one per parameter, so the saved state cannot fit it."""
    result = run_tool(['tools/train.py', DEMO, '--resume',
                       *options(tiny_data, after_epoch_1, max_epochs=2),
                       'optim_wrapper.constructor='
                       'DefaultOptimWrapperConstructor'], repo_root)
    checkpoint = f'{after_epoch_1}/epoch_1.pth'
    assert error_line(result) == (
        f'error: --resume: the optimizer state in {checkpoint} does not fit '
        "this config's optimizer (loaded state dict has a different number "
        'of parameter groups): it was saved under another optimizer setup '
        '(another paramwise_cfg or optim_wrapper constructor). Resume with '
        'the config it was trained with, or start from its weights alone '
        f'(--cfg-options load_from={checkpoint}, without --resume) in '
        'another --work-dir')
    assert_kept_at_epoch_1(after_epoch_1)
