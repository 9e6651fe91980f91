"""Bad input to train.py, test.py and the image demo, as a new user meets
it: one ``error:`` line naming the file, the entry and the fix, exit
status 2, and the work dir left as it was (docs/reliability.md, "Every
failure tried"). The kinds of each are tested in tests/test_preflight and
tests/test_datasets; here, one of each through the tool."""
import json
import os
import shutil

import cv2
import numpy as np
import pytest
from tiny_demo import CONFIGS, tiny_options
from tool_process import error_line, run_tool

from mmca.cli import load_config

pytestmark = pytest.mark.slow  # each test starts a tool


@pytest.fixture
def det_copy(tiny_set, tmp_path):
    """A copy of the tiny COCO-format set, to break."""
    return shutil.copytree(tiny_set('det'), tmp_path / 'det')


@pytest.fixture
def cls_copy(tiny_set, tmp_path):
    """A copy of the tiny ImageNet-layout set, to break."""
    return shutil.copytree(tiny_set('cls'), tmp_path / 'cls')


def edit_json(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def train(task, root, work_dir, *options):
    return ['tools/train.py', CONFIGS[task],
            *tiny_options(task, root, work_dir), *options]


def rename_cross(data):
    data['categories'][3]['name'] = 'Cross'


def duplicate_image_id(data):
    data['images'][1]['id'] = data['images'][0]['id']


def drop_images(data):
    del data['images']


@pytest.mark.parametrize('change,message', [
    (rename_cross, 'annotation file {ann} has no category "cross", one of the '
     'config\'s classes; it has "Cross" (names must match exactly, case '
     "included). Fix the classes of the config (the dataset's metainfo) or "
     "the category's name in the file."),
    (duplicate_image_id, 'annotation file {ann} gives id 1 to two images, '
     'images[0] ("000001.jpg") and images[1] ("000002.jpg"): one image would '
     'be lost and the other given the boxes of both. Give each image its own '
     'id.'),
    (drop_images, 'annotation file {ann} has no "images": a COCO annotation '
     'file lists "images", "annotations" and "categories". Is it a file of '
     'another format, or one cut down by hand?'),
])
def test_a_coco_file_mmdet_would_misread_is_refused_at_start_up(
        change, message, det_copy, tmp_path, repo_root):
    ann = det_copy / 'annotations' / 'instances_train.json'
    edit_json(ann, change)
    result = run_tool(train('det', det_copy, tmp_path / 'work'), repo_root)
    assert error_line(result) == 'error: ' + message.format(ann=ann)
    assert not (tmp_path / 'work').exists()


def test_a_label_outside_the_classes_is_refused_naming_its_line(
        cls_copy, tmp_path, repo_root):
    listing = cls_copy / 'meta' / 'train.txt'
    lines = listing.read_text().splitlines()
    name = lines[2].rsplit(' ', 1)[0]
    lines[2] = f'{name} 8'
    listing.write_text('\n'.join(lines) + '\n')
    result = run_tool(train('cls', cls_copy, tmp_path / 'work'), repo_root)
    assert error_line(result) == (
        f'error: annotation file {listing}, line 3: class index 8 is outside '
        'the 8 classes of the config (0 to 7); the line is '
        f'"{name} 8". Fix the label, or the classes of the config '
        "(model.head.num_classes, the dataset's metainfo).")
    assert not (tmp_path / 'work').exists()


@pytest.mark.parametrize('option,message', [
    ('train_cfg.max_epochs=abc', "a whole number is expected there, as the "
     "config's {cfg.train_cfg.max_epochs}"),
    ('optim_wrapper.optimizer.lr=abc', "a number is expected there, as the "
     "config's {cfg.optim_wrapper.optimizer.lr}"),
    ('train_dataloader.batch_size=-4', 'batch_size must be positive'),
])
def test_a_bad_cfg_option_value_is_one_line(option, message, tiny_set,
                                            tmp_path, repo_root):
    # the value is compared with the config file's, before any override
    cfg = load_config(f'{repo_root}/{CONFIGS["cls"]}')
    result = run_tool(train('cls', tiny_set('cls'), tmp_path / 'work',
                            option), repo_root)
    assert error_line(result) == \
        f'error: --cfg-options {option}: {message.format(cfg=cfg)}'
    assert not (tmp_path / 'work').exists()


@pytest.mark.parametrize('tool', ['train.py', 'test.py'])
def test_a_work_dir_that_cannot_be_made_is_one_line(tool, tiny_set,
                                                    tmp_path, repo_root):
    (tmp_path / 'file').write_text('')
    cases = {'/proc/x/y': 'work dir /proc/x/y cannot be made: /proc takes no '
             'new folder (No such file or directory)',
             f'{tmp_path}/file/run': f'work dir {tmp_path}/file/run cannot be '
             f'made: {tmp_path}/file is a file, not a folder'}
    for work_dir, message in cases.items():
        command = train('cls', tiny_set('cls'), work_dir)
        if tool == 'test.py':
            command[:2] = ['tools/test.py', CONFIGS['cls'],
                           str(tmp_path / 'file')]
        assert error_line(run_tool(command, repo_root)) == (
            f'error: {message}. Choose another with --work-dir.')
    assert os.listdir(tmp_path) == ['file']


def test_a_run_refused_after_the_runner_began_leaves_no_trace(
        tiny_set, tiny_run, tmp_path, repo_root):
    # the runner has made the work dir, its log dir and the lock when the
    # model fails to build
    work_dir = tmp_path / 'new' / 'work'
    result = run_tool(train('cls', tiny_set('cls'), work_dir,
                            'model.backbone.type=NoSuchBackbone'), repo_root)
    assert 'NoSuchBackbone' in error_line(result)
    assert os.listdir(tmp_path) == []
    # an existing work dir keeps what it had, and only that; test.py's
    # config dump is put back as it was
    kept = tmp_path / 'kept'
    kept.mkdir()
    (kept / 'notes.txt').write_text('mine')
    checkpoint = tiny_run('cls') / 'epoch_1.pth'
    result = run_tool(['tools/test.py', CONFIGS['cls'], str(checkpoint),
                       *tiny_options('cls', tiny_set('cls'), kept),
                       'model.head.num_classes=5',
                       'data_preprocessor.num_classes=5'], repo_root)
    assert 'does not match the model of the config' in error_line(result)
    assert os.listdir(kept) == ['notes.txt']


def test_test_py_names_a_broken_image_without_suggesting_skip(
        cls_copy, tiny_run, tmp_path, repo_root):
    image = sorted((cls_copy / 'val').glob('*.JPEG'))[0]
    image.write_bytes(image.read_bytes()[:500])
    result = run_tool(['tools/test.py', CONFIGS['cls'],
                       str(tiny_run('cls') / 'epoch_1.pth'),
                       *tiny_options('cls', cls_copy, tmp_path / 'work')],
                      repo_root)
    line = error_line(result)
    assert line.startswith(f'error: image {image} (line ')
    assert line.endswith('is broken: it is truncated (a JPEG of 500 bytes '
                         'without its end marker). Replace the file or '
                         'remove its entry.')


def test_an_image_of_another_size_than_its_coco_entry_stops_training(
        det_copy, tmp_path, repo_root):
    ann = det_copy / 'annotations' / 'instances_train.json'
    entry = json.loads(ann.read_text())['images'][2]
    image = det_copy / 'train' / entry['file_name']
    cv2.imwrite(str(image), np.zeros((1, 1, 3), np.uint8))
    result = run_tool(train('det', det_copy, tmp_path / 'work'), repo_root)
    assert error_line(result) == (
        f'error: image {image} (COCO image id {entry["id"]} in {ann}) does '
        f'not fit its entry: its entry gives it {entry["width"]}x'
        f'{entry["height"]} pixels (width x height), but it decodes to 1x1, '
        'so its boxes would miss their objects. Fix width '
        'and height (and the boxes) in the annotation file, or replace the '
        'image with the one annotated; training can leave broken images out '
        'with --cfg-options broken_images=skip.')


@pytest.mark.parametrize('how,problem', [
    ('empty', 'it is empty (0 bytes)'),
    ('truncated', 'it is truncated (a JPEG of 300 bytes without its end '
     'marker)'),
])
def test_the_image_demo_names_a_broken_image_of_a_folder(
        how, problem, tiny_set, tmp_path, repo_root):
    folder = tmp_path / 'pictures'
    folder.mkdir()
    good = sorted((tiny_set('cls') / 'val').glob('*.JPEG'))[0]
    shutil.copy(good, folder / 'a.jpg')
    (folder / 'b.jpg').write_bytes(b'' if how == 'empty' else
                                   good.read_bytes()[:300])
    result = run_tool(['demo/image_demo.py', str(folder), CONFIGS['cls'],
                       '--out-dir', str(tmp_path / 'out')], repo_root)
    assert error_line(result) == (
        f'error: image {folder}/b.jpg is broken: {problem}; replace it, or '
        f'move it out of {folder}.')
    assert not (tmp_path / 'out').exists()
