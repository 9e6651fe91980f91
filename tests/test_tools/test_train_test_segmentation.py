"""train.py / test.py / dist_test.sh on a tiny Cityscapes-format shapes set."""
import os
import re
import subprocess
import sys

import pytest

DEMO = 'configs/demo/deeplabv3_mbv2_ca_shapes.py'


def tiny_options(data_root, work_dir, max_iters=6):
    return [
        '--work-dir', str(work_dir), '--cfg-options',
        f'train_dataloader.dataset.data_root={data_root}/',
        f'val_dataloader.dataset.data_root={data_root}/',
        f'test_dataloader.dataset.data_root={data_root}/',
        'train_dataloader.batch_size=2',
        f'train_cfg.max_iters={max_iters}', f'train_cfg.val_interval={max_iters}',
        f'default_hooks.checkpoint.interval={max_iters}',
        'default_hooks.logger.interval=1',
    ]


def run(args, cwd, **kwargs):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, **kwargs)


def miou_of(output):
    found = re.findall(r'mIoU: (-?[\d.]+)', output)
    assert found, output[-3000:]
    return float(found[-1])


@pytest.fixture(scope='module')
def trained(tmp_path_factory, repo_root):
    data = tmp_path_factory.mktemp('data')
    result = run([sys.executable, 'tools/make_demo_data.py', '--out', str(data),
                  '--tasks', 'seg', '--num-train', '6', '--num-val', '3'],
                 repo_root)
    assert result.returncode == 0, result.stderr
    data_root = data / 'cityscapes_shapes'
    work_dir = tmp_path_factory.mktemp('train')
    result = run([sys.executable, 'tools/train.py', DEMO,
                  *tiny_options(data_root, work_dir)], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    return data_root, work_dir


def test_one_and_two_process_tests_give_the_same_miou(trained, repo_root, tmp_path):
    data_root, work_dir = trained
    checkpoint = str(work_dir / 'iter_6.pth')
    single = run([sys.executable, 'tools/test.py', DEMO, checkpoint,
                  *tiny_options(data_root, tmp_path / 'one')], repo_root)
    assert single.returncode == 0, single.stderr[-3000:]
    env = dict(os.environ, PORT='29533')
    double = run(['bash', 'tools/dist_test.sh', DEMO, checkpoint, '2',
                  *tiny_options(data_root, tmp_path / 'two')], repo_root,
                 env=env, timeout=600)
    assert double.returncode == 0, double.stderr[-3000:]
    assert miou_of(double.stdout + double.stderr) == \
        miou_of(single.stdout + single.stderr)


def test_missing_label_files_name_the_converter(repo_root, tmp_path):
    (tmp_path / 'cityscapes' / 'leftImg8bit' / 'train').mkdir(parents=True)
    result = run([sys.executable, 'tools/train.py',
                  'configs/deeplabv3_mbv2_ca_d8_cityscapes.py', '--cfg-options',
                  f'train_dataloader.dataset.data_root={tmp_path}/cityscapes/'],
                 repo_root)
    assert result.returncode == 2 and 'Traceback' not in result.stderr
    assert 'gtFine/train does not exist' in result.stderr
    assert 'tools/dataset_converters/cityscapes.py' in result.stderr
    assert 'docs/datasets.md, section "Cityscapes"' in result.stderr
