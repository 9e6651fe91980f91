"""demo/image_demo.py draws a detector's, segmentor's and classifier's
predictions, each from a checkpoint of a short tools/train.py run on tiny
generated data (one module fixture per task)."""
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import mmcv
import numpy as np
import pytest

from tools.make_demo_data import SEG_PALETTE

SCRIPT = 'demo/image_demo.py'
CONFIGS = {'det': 'configs/demo/ssdlite_mbv2_ca_shapes.py',
           'seg': 'configs/demo/deeplabv3_mbv2_ca_shapes.py',
           'cls': 'configs/demo/mbv2_ca_shapes_cls.py'}
#: Change of a channel above which a pixel counts as drawn on: re-encoding
#: a JPEG moves pixels by less (34 at most on the generated images).
DRAWN = 64
#: Mean change of a picture re-encoded as a JPEG but not drawn on (1 to 2).
JPEG_NOISE = 4


def run(args, cwd):
    return subprocess.run([sys.executable, *args], cwd=cwd,
                          capture_output=True, text=True)


def train(task: str, options: List[str], work_dir: Path, repo_root: str):
    result = run(['tools/train.py', CONFIGS[task], '--work-dir',
                  str(work_dir), '--cfg-options', *options,
                  'default_hooks.logger.interval=1'], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope='module')
def data(tmp_path_factory, repo_root):
    out = tmp_path_factory.mktemp('data')
    result = run(['tools/make_demo_data.py', '--out', str(out), '--tasks',
                  'det', 'seg', 'cls', '--num-train', '8', '--num-val', '2'],
                 repo_root)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope='module')
def det_checkpoint(data, tmp_path_factory, repo_root):
    root = data / 'coco_shapes'
    work_dir = tmp_path_factory.mktemp('det')
    train('det', [
        *(f'{split}_dataloader.dataset.data_root={root}/'
          for split in ('train', 'val', 'test')),
        f'val_evaluator.ann_file={root}/annotations/instances_val.json',
        'train_dataloader.batch_size=4',
        'train_dataloader.dataset.pipeline.2.scale=(128,128)',
        'val_dataloader.dataset.pipeline.1.scale=(128,128)',
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
        'default_hooks.checkpoint.save_best=None',
    ], work_dir, repo_root)
    return work_dir / 'epoch_1.pth'


@pytest.fixture(scope='module')
def seg_checkpoint(data, tmp_path_factory, repo_root):
    root = data / 'cityscapes_shapes'
    work_dir = tmp_path_factory.mktemp('seg')
    train('seg', [
        *(f'{split}_dataloader.dataset.data_root={root}/'
          for split in ('train', 'val', 'test')),
        'train_dataloader.batch_size=2', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
    ], work_dir, repo_root)
    return work_dir / 'iter_2.pth'


@pytest.fixture(scope='module')
def cls_checkpoint(data, tmp_path_factory, repo_root):
    root = data / 'imagenet_shapes'
    work_dir = tmp_path_factory.mktemp('cls')
    train('cls', [
        *(f'{split}_dataloader.dataset.data_root={root}/'
          for split in ('train', 'val', 'test')),
        'train_dataloader.batch_size=8', 'train_cfg.max_epochs=1',
        'train_cfg.val_interval=1', 'default_hooks.checkpoint.save_best=None',
    ], work_dir, repo_root)
    return work_dir / 'epoch_1.pth'


def val_images(task: str, data: Path) -> List[Path]:
    """The task's two generated validation images."""
    return {
        'det': lambda: sorted((data / 'coco_shapes' / 'val').glob('*.jpg')),
        'seg': lambda: sorted((data / 'cityscapes_shapes' / 'leftImg8bit' /
                               'val').glob('*/*_leftImg8bit.png')),
        'cls': lambda: sorted((data / 'imagenet_shapes' / 'val').glob(
            '*.JPEG')),
    }[task]()


def difference(picture: np.ndarray, image: np.ndarray) -> np.ndarray:
    """Per pixel, the largest change of a channel (H x W)."""
    return np.abs(picture.astype(int) - image).max(axis=-1)


def check_drawn(task: str, image_path: Path, picture_path: Path) -> None:
    """The picture is the image at its size, drawn on where objects are."""
    assert picture_path.is_file(), picture_path
    image, picture = mmcv.imread(image_path), mmcv.imread(picture_path)
    assert picture.shape == image.shape
    change = difference(picture, image)
    if task == 'det':
        # boxes and their labels, at a threshold below every score
        assert (change > DRAWN).mean() > 0.02
    elif task == 'seg':
        labels = mmcv.imread(str(image_path).replace(
            'leftImg8bit', 'gtFine').replace('.png', '_labelTrainIds.png'),
            flag='unchanged')
        objects = (labels > 0) & (labels < 255)
        assert objects.any()
        # where the objects are, each pixel is the image's blended half and
        # half (--opacity 0.5) with the colour of a class
        colour = 2 * picture[objects].astype(float) - image[objects]
        # the demo config's palette is the generator's; mmcv reads BGR
        palette = np.array(SEG_PALETTE)[:, ::-1]
        error = np.abs(colour[:, None] - palette).max(axis=-1).min(axis=-1)
        assert (error <= 4).mean() > 0.95
    else:
        height = change.shape[0]
        # the predicted class and score, top left, and nothing else
        assert change[:height // 8, :change.shape[1] // 2].mean() > 10
        assert change[height // 4:].mean() < JPEG_NOISE


@pytest.mark.parametrize('task', ['det', 'seg', 'cls'])
def test_draws_every_image_of_a_folder_under_its_name(
        task, data, tmp_path, repo_root, request):
    checkpoint = request.getfixturevalue(f'{task}_checkpoint')
    folder = tmp_path / 'images'
    folder.mkdir()
    images = val_images(task, data)
    assert len(images) == 2
    for image in images:
        shutil.copy(image, folder)
    (folder / 'notes.txt').write_text('not an image')
    out = tmp_path / 'out'
    result = run([SCRIPT, str(folder), CONFIGS[task], str(checkpoint),
                  '--out-dir', str(out), '--pred-score-thr', '0'], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in images)
    for image in images:
        check_drawn(task, image, out / image.name)


@pytest.mark.parametrize('task', ['det', 'seg', 'cls'])
def test_draws_a_single_image(task, data, tmp_path, repo_root, request):
    checkpoint = request.getfixturevalue(f'{task}_checkpoint')
    image = val_images(task, data)[0]
    out = tmp_path / 'out'
    result = run([SCRIPT, str(image), CONFIGS[task], str(checkpoint),
                  '--out-dir', str(out), '--pred-score-thr', '0'], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [p.name for p in out.iterdir()] == [image.name]
    assert str(out / image.name) in result.stdout
    check_drawn(task, image, out / image.name)


def test_detection_draws_no_box_scored_below_the_threshold(
        det_checkpoint, data, tmp_path, repo_root):
    image = val_images('det', data)[0]
    result = run([SCRIPT, str(image), CONFIGS['det'], str(det_checkpoint),
                  '--out-dir', str(tmp_path), '--pred-score-thr', '1'],
                 repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    picture = mmcv.imread(tmp_path / image.name)
    assert difference(picture, mmcv.imread(image)).mean() < JPEG_NOISE


def test_without_checkpoint_warns_once_of_random_weights(data, tmp_path,
                                                         repo_root):
    image = val_images('cls', data)[0]
    result = run([SCRIPT, str(image), CONFIGS['cls'], '--out-dir',
                  str(tmp_path)], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    warnings = [line for line in result.stderr.splitlines()
                if 'random' in line]
    assert len(warnings) == 1 and warnings[0].startswith('warning: ')
    assert (tmp_path / image.name).is_file()


def error_line(result) -> str:
    assert result.returncode == 2, result.stderr[-3000:]
    assert 'Traceback' not in result.stderr
    lines = [line for line in result.stderr.splitlines()
             if line.startswith('error: ')]
    assert len(lines) == 1, result.stderr[-3000:]
    return lines[0]


@pytest.mark.parametrize('case,message', [
    ('missing', 'image or folder {tmp}/nowhere.jpg does not exist'),
    ('empty folder', 'folder {tmp} holds no images'),
    ('not an image', 'cannot read {tmp}/broken.png as an image'),
    ('other scope', 'demo/image_demo.py runs mmpretrain, mmdet and mmseg '
     'configs, but'),
    ('missing checkpoint', 'checkpoint {tmp}/none.pth does not exist'),
])
def test_bad_input_is_one_error_line(case, message, data, tmp_path,
                                     repo_root):
    image = str(val_images('cls', data)[0])
    args = {
        'missing': [f'{tmp_path}/nowhere.jpg', CONFIGS['cls']],
        'empty folder': [str(tmp_path), CONFIGS['cls']],
        'not an image': [f'{tmp_path}/broken.png', CONFIGS['cls']],
        'other scope': [image, CONFIGS['cls'], '--cfg-options',
                        'default_scope=mmocr'],
        'missing checkpoint': [image, CONFIGS['cls'],
                               f'{tmp_path}/none.pth'],
    }[case]
    (tmp_path / 'broken.png').write_text('not a picture')
    if case == 'empty folder':
        (tmp_path / 'broken.png').rename(tmp_path / 'broken.txt')
    result = run([SCRIPT, *args, '--out-dir', str(tmp_path / 'out')],
                 repo_root)
    assert message.format(tmp=tmp_path) in error_line(result)
    assert not (tmp_path / 'out').exists()


def test_checkpoint_of_another_model_is_refused(cls_checkpoint, data,
                                                tmp_path, repo_root):
    image = val_images('det', data)[0]
    result = run([SCRIPT, str(image), CONFIGS['det'], str(cls_checkpoint),
                  '--out-dir', str(tmp_path / 'out')], repo_root)
    assert (f'checkpoint {cls_checkpoint} does not match the model of the '
            'config') in error_line(result)
    assert not (tmp_path / 'out').exists()


def test_out_dir_that_would_overwrite_the_inputs_is_refused(
        cls_checkpoint, data, tmp_path, repo_root):
    image = tmp_path / val_images('cls', data)[0].name
    shutil.copy(val_images('cls', data)[0], image)
    before = image.read_bytes()
    result = run([SCRIPT, str(tmp_path), CONFIGS['cls'], str(cls_checkpoint),
                  '--out-dir', str(tmp_path)], repo_root)
    assert 'would overwrite the input images' in error_line(result)
    assert image.read_bytes() == before
