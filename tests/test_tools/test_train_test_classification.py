"""Classification through tools/train.py and test.py, and on to fine-tuning.

The session's tiny run of the classification demo (conftest.py) feeds the
evaluation, the pretraining-to-fine-tuning hand-over and the bad-input
cases; everything runs on CPU.
"""
import pickle
import re
import shutil
from pathlib import Path

import pytest
import tiny_demo
import torch
from tool_process import error_line, run_tool

DEMO = tiny_demo.CONFIGS['cls']
pytestmark = pytest.mark.slow  # trains, and each test reads a tiny run


@pytest.fixture
def tiny_data(tiny_set):
    return tiny_set('cls')


@pytest.fixture
def tiny_coco(tiny_set):
    return tiny_set('det')


def data_options(root: Path):
    return tiny_demo.data_options('cls', root)


def coco_options(root: Path):
    """Point a COCO config's data at a generated set, read as that set's
    classes (past the data check)."""
    ann = f'{root}/annotations/instances_{{}}.json'
    return [
        'train_dataloader.dataset.dataset.type=ShapesCocoDataset',
        'val_dataloader.dataset.type=ShapesCocoDataset',
        f'train_dataloader.dataset.dataset.data_root={root}/',
        f'train_dataloader.dataset.dataset.ann_file={ann.format("train")}',
        'train_dataloader.dataset.dataset.data_prefix.img=train/',
        f'val_dataloader.dataset.data_root={root}/',
        f'val_dataloader.dataset.ann_file={ann.format("val")}',
        'val_dataloader.dataset.data_prefix.img=val/',
        f'val_evaluator.ann_file={ann.format("val")}',
    ]


@pytest.fixture
def trained(tiny_run):
    """The session's 1-epoch run of the demo on the tiny set."""
    return tiny_run('cls')


def test_training_writes_a_classifier_checkpoint(trained):
    checkpoint = torch.load(trained / 'epoch_1.pth', map_location='cpu',
                            weights_only=False)
    keys = set(checkpoint['state_dict'])
    assert 'head.fc.weight' in keys
    assert all(k.startswith(('backbone.', 'head.', 'data_preprocessor.'))
               for k in keys)
    assert checkpoint['state_dict']['head.fc.weight'].shape == (8, 1280)


def test_train_py_ends_with_its_speed(trained):
    """The last line train.py prints is the mean time of an iteration, as
    its scalars.json, read back, gives it."""
    from mmca.analysis import seconds_per_iteration
    last = (trained / 'train.stdout').read_text().strip().splitlines()[-1]
    speed = seconds_per_iteration(str(trained))
    assert last.startswith(f'[train] {speed:.2f} s an iteration'), last


def test_test_py_accuracy_is_that_of_its_predictions(trained, tiny_data,
                                                     tmp_path, repo_root):
    out = tmp_path / 'preds.pkl'
    result = run_tool([
        'tools/test.py', DEMO, str(trained / 'epoch_1.pth'),
        '--work-dir', str(tmp_path), '--out', str(out), '--show-dir', 'vis',
        '--cfg-options', *data_options(tiny_data)
    ], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    labels = [line for line in
              (tiny_data / 'meta' / 'val.txt').read_text().split('\n') if line]
    assert len(list((tmp_path / 'vis').glob('*.png'))) == len(labels)
    found = re.findall(r'accuracy/top1: ([\d.]+)',
                       result.stdout + result.stderr)
    assert found, result.stdout[-2000:]
    with open(out, 'rb') as f:
        predictions = pickle.load(f)
    assert len(predictions) == len(labels)
    correct = [int(p['pred_label']) == int(p['gt_label']) for p in predictions]
    assert float(found[-1]) == pytest.approx(
        100 * sum(correct) / len(labels), abs=1e-3)
    assert [int(p['gt_label']) for p in predictions] == [
        int(line.split()[1]) for line in labels]


@pytest.mark.parametrize('config', [
    'configs/ssdlite_mbv2_ca_coco.py', 'configs/deeplabv3_mbv2_ca_d8_voc.py'
])
def test_classifier_checkpoint_initialises_detector_and_segmentor(
        trained, config, repo_root):
    """The checkpoint tools/train.py writes is what fine-tuning loads."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope

    import mmca  # noqa: F401
    checkpoint = str(trained / 'epoch_1.pth')
    cfg = Config.fromfile(f'{repo_root}/{config}')
    cfg.model.backbone.init_cfg.checkpoint = checkpoint
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    model.init_weights()
    weights = torch.load(checkpoint, map_location='cpu',
                         weights_only=False)['state_dict']
    backbone = model.backbone.state_dict()
    assert len(backbone) > 200
    for key, value in backbone.items():
        assert torch.equal(value, weights[f'backbone.{key}']), key


def test_missing_imagenet_names_the_layout(tmp_path, repo_root):
    line = error_line(run_tool([
        'tools/train.py', 'configs/mbv2_ca_imagenet.py',
        '--work-dir', str(tmp_path), '--cfg-options',
        *data_options(tmp_path / 'nowhere')
    ], repo_root))
    assert ('The ImageNet train data of configs/mbv2_ca_imagenet.py is '
            f'missing: {tmp_path}/nowhere/ does not exist') in line
    assert 'data/imagenet/meta/{train,val}.txt' in line


def test_missing_meta_file_is_named(tiny_data, tmp_path, repo_root):
    data = tmp_path / 'imagenet_shapes'
    shutil.copytree(tiny_data, data)
    (data / 'meta' / 'val.txt').unlink()
    result = run_tool([
        'tools/train.py', DEMO, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', *data_options(data)
    ], repo_root)
    assert f'{data}/meta/val.txt does not exist' in error_line(result)


def test_release_layout_checkpoint_in_init_cfg_is_refused(
        tiny_coco, tmp_path, repo_root):
    release = tmp_path / 'mbv2_ca.pth'
    torch.save({'features.0.0.weight': torch.zeros(32, 3, 3, 3)}, release)
    result = run_tool([
        'tools/train.py', 'configs/ssdlite_mbv2_ca_coco.py',
        '--work-dir', str(tmp_path / 'work'), '--cfg-options',
        f'model.backbone.init_cfg.checkpoint={release}',
        *coco_options(tiny_coco)
    ], repo_root)
    assert 'has no backbone.* weights' in error_line(result)


def test_checkpoint_of_another_attention_in_init_cfg_is_refused(
        trained, tiny_coco, tmp_path, repo_root):
    line = error_line(run_tool([
        'tools/train.py', 'configs/ssdlite_mbv2_se_coco.py',
        '--work-dir', str(tmp_path / 'work'), '--cfg-options',
        f'model.backbone.init_cfg.checkpoint={trained / "epoch_1.pth"}',
        *coco_options(tiny_coco)
    ], repo_root))
    assert 'does not fit model.backbone' in line
    assert 'attention' in line


def test_checkpoint_of_another_task_to_resume_is_refused(
        trained, tiny_data, tmp_path, repo_root):
    other = tmp_path / 'detector.pth'
    torch.save({'state_dict': {'bbox_head.cls_convs.0.weight':
                               torch.zeros(1)}}, other)
    message = error_line(run_tool([
        'tools/train.py', DEMO, '--work-dir',
        str(tmp_path / 'work'), '--resume', str(other), '--cfg-options',
        *data_options(tiny_data)
    ], repo_root))
    assert f'checkpoint {other} does not match the model' in message


def test_classifier_of_other_classes_names_the_fine_tuning_fix(
        trained, tiny_data, tmp_path, repo_root):
    weights = torch.load(trained / 'epoch_1.pth', map_location='cpu',
                         weights_only=False)['state_dict']
    weights['head.fc.weight'] = torch.zeros(1000, 1280)
    weights['head.fc.bias'] = torch.zeros(1000)
    imagenet = tmp_path / 'imagenet_1000.pth'
    torch.save({'state_dict': weights}, imagenet)
    for tool, args in (('tools/test.py', [str(imagenet)]),
                       ('tools/train.py', [])):
        options = data_options(tiny_data)
        if tool == 'tools/train.py':
            options.append(f'load_from={imagenet}')
        message = error_line(run_tool([
            tool, DEMO, *args, '--work-dir',
            str(tmp_path / 'work'), '--cfg-options', *options
        ], repo_root))
        assert 'another number of classes' in message, tool
        assert 'model.backbone.init_cfg.prefix=backbone.' in message
