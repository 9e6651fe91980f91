"""tools/train.py, test.py and dist_test.sh end to end on a tiny demo set.

The session's tiny run of the detection demo (conftest.py) feeds the test
and distributed-test cases; everything runs on CPU processes. Kill and
resume is tested by test_kill_resume_harness.py.
"""
import json
import os
import re
import subprocess

import pytest
from tiny_demo import CONFIGS, tiny_options
from tool_process import error_line, run_tool

DEMO = CONFIGS['det']
pytestmark = pytest.mark.slow  # trains, and each test reads a tiny run


@pytest.fixture
def tiny_data(tiny_set):
    return tiny_set('det')


@pytest.fixture
def trained(tiny_run):
    """The session's 2-epoch run of the demo on the tiny set, at 128 px."""
    return tiny_run('det')


def metric_of(output: str) -> float:
    found = re.findall(r'coco/bbox_mAP: (-?[\d.]+)', output)
    assert found, output[-3000:]
    return float(found[-1])


def test_training_writes_checkpoints_logs_and_metric(trained):
    assert (trained / 'epoch_1.pth').exists()
    assert (trained / 'epoch_2.pth').exists()
    scalars = list(trained.glob('*/vis_data/scalars.json'))
    assert scalars
    records = [json.loads(line)
               for line in scalars[0].read_text().splitlines()]
    assert any('coco/bbox_mAP' in r for r in records)
    assert any('loss' in r for r in records)


def test_one_and_two_process_tests_give_the_same_metric(trained, tiny_data,
                                                        repo_root, tmp_path):
    checkpoint = str(trained / 'epoch_2.pth')
    options = tiny_options('det', tiny_data, tmp_path / 'one', 2)
    single = run_tool(['tools/test.py', DEMO, checkpoint, *options,
                       '--out', str(tmp_path / 'preds.pkl')], repo_root)
    assert single.returncode == 0, single.stderr[-3000:]
    assert (tmp_path / 'preds.pkl').stat().st_size > 0
    options[1] = str(tmp_path / 'two')
    env = dict(os.environ, PORT='29531')
    double = subprocess.run(['bash', 'tools/dist_test.sh', DEMO, checkpoint,
                             '2', *options], cwd=repo_root, env=env,
                            timeout=600, capture_output=True, text=True)
    assert double.returncode == 0, double.stderr[-3000:]
    assert metric_of(double.stdout + double.stderr) == \
        metric_of(single.stdout + single.stderr)


@pytest.mark.parametrize('option,message', [
    ('train_dataloader.dataset.data_root=nowhere/',
     'missing: nowhere/ does not exist'),
    ('trian_cfg.max_epochs=1',
     "unknown config key 'trian_cfg' in --cfg-options trian_cfg.max_epochs "
     "(did you mean 'train_cfg'?)"),
    ('model.backbone.atention=None', "unexpected keyword argument 'atention'"),
    ('default_scope=mmocr',
     'tools/train.py runs mmpretrain, mmdet and mmseg configs'),
    ('default_scope=mmpretrain',
     "model type 'SingleStageDetector' is not known in the mmpretrain scope. "
     'It is an mmdet model'),
    ('default_scope=mmseg',
     "model type 'SingleStageDetector' is not known in the mmseg scope. It is "
     'an mmdet model'),
])
def test_bad_input_is_one_clear_message(option, message, tiny_data, repo_root,
                                        tmp_path):
    # the extra option goes last, after the tiny set's --cfg-options
    result = run_tool(['tools/train.py', DEMO,
                       *tiny_options('det', tiny_data, tmp_path, 1), option],
                      repo_root)
    line = error_line(result)
    assert message in line, line


def test_missing_coco_names_layout_readme_and_demo(repo_root, tmp_path):
    root = f'{tmp_path}/coco/'
    line = error_line(run_tool(
        ['tools/train.py', 'configs/ssdlite_mbv2_ca_coco.py', '--cfg-options',
         f'train_dataloader.dataset.dataset.data_root={root}'], repo_root))
    for part in ('annotations/instances_{train,val}2017.json',
                 'docs/datasets.md, section "COCO"',
                 'python tools/make_demo_data.py'):
        assert part in line


def test_checkpoint_of_another_model_is_refused(trained, tiny_data, repo_root,
                                                tmp_path):
    result = run_tool(['tools/test.py', DEMO,
                       str(trained / 'epoch_2.pth'),
                       *tiny_options('det', tiny_data, tmp_path, 2),
                       'model.backbone.attention=None'], repo_root)
    assert 'does not match the model of the config' in error_line(result)
