"""train.py / test.py / dist_test.sh on a tiny Cityscapes-format shapes set
(the session's tiny run of the segmentation demo, conftest.py)."""
import os
import re
import subprocess

import pytest
from tiny_demo import CONFIGS, last_checkpoint_name, tiny_options
from tool_process import error_line, run_tool

DEMO = CONFIGS['seg']
pytestmark = pytest.mark.slow  # trains, and tests the tiny run


def miou_of(output):
    found = re.findall(r'mIoU: (-?[\d.]+)', output)
    assert found, output[-3000:]
    return float(found[-1])


@pytest.fixture
def trained(tiny_set, tiny_run):
    """The tiny set and the session's 6-iteration run on it."""
    return tiny_set('seg'), tiny_run('seg')


def test_one_and_two_process_tests_give_the_same_miou(trained, repo_root,
                                                      tmp_path):
    data_root, work_dir = trained
    checkpoint = str(work_dir / last_checkpoint_name('seg'))
    single = run_tool(['tools/test.py', DEMO, checkpoint,
                       *tiny_options('seg', data_root, tmp_path / 'one')],
                      repo_root)
    assert single.returncode == 0, single.stderr[-3000:]
    env = dict(os.environ, PORT='29533')
    double = subprocess.run(
        ['bash', 'tools/dist_test.sh', DEMO, checkpoint, '2',
         *tiny_options('seg', data_root, tmp_path / 'two')], cwd=repo_root,
        env=env, timeout=600, capture_output=True, text=True)
    assert double.returncode == 0, double.stderr[-3000:]
    assert miou_of(double.stdout + double.stderr) == \
        miou_of(single.stdout + single.stderr)


def test_missing_label_files_name_the_converter(repo_root, tmp_path):
    (tmp_path / 'cityscapes' / 'leftImg8bit' / 'train').mkdir(parents=True)
    root = f'{tmp_path}/cityscapes/'
    line = error_line(run_tool(
        ['tools/train.py', 'configs/deeplabv3_mbv2_ca_d8_cityscapes.py',
         '--cfg-options', f'train_dataloader.dataset.data_root={root}'],
        repo_root))
    assert 'gtFine/train does not exist' in line
    assert 'tools/dataset_converters/cityscapes.py' in line
    assert 'docs/datasets.md, section "Cityscapes"' in line
