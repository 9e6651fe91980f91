"""demo/image_demo.py draws a detector's, segmentor's and classifier's
predictions, each from the checkpoint of the session's tiny tools/train.py
run of its demo config (conftest.py)."""
import shutil
from pathlib import Path
from typing import List

import mmcv
import numpy as np
import pytest
from tiny_demo import CONFIGS, last_checkpoint_name
from tool_process import error_line, run_tool

from mmca.datasets.shapes import SEG_PALETTE

SCRIPT = 'demo/image_demo.py'
pytestmark = pytest.mark.slow  # each test starts the demo on a tiny run
#: Change of a channel above which a pixel counts as drawn on: re-encoding
#: a JPEG moves pixels by less (34 at most on the generated images).
DRAWN = 64
#: Mean change of a picture re-encoded as a JPEG but not drawn on (1 to 2).
JPEG_NOISE = 4


@pytest.fixture
def checkpoint_of(tiny_run):
    """``checkpoint_of(task)``: the last checkpoint of the shared tiny run."""
    return lambda task: tiny_run(task) / last_checkpoint_name(task)


@pytest.fixture
def val_images(tiny_set):
    """``val_images(task)``: two validation images of the task's tiny set."""
    def get(task: str) -> List[Path]:
        root = tiny_set(task)
        return sorted({
            'det': lambda: (root / 'val').glob('*.jpg'),
            'seg': lambda: (root / 'leftImg8bit' / 'val').glob(
                '*/*_leftImg8bit.png'),
            'cls': lambda: (root / 'val').glob('*.JPEG'),
        }[task]())[:2]
    return get


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
        # the demo dataset's palette is the generator's; mmcv reads BGR
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
        task, checkpoint_of, val_images, tmp_path, repo_root):
    checkpoint = checkpoint_of(task)
    folder = tmp_path / 'images'
    folder.mkdir()
    images = val_images(task)
    assert len(images) == 2
    for image in images:
        shutil.copy(image, folder)
    (folder / 'notes.txt').write_text('not an image')
    out = tmp_path / 'out'
    result = run_tool([SCRIPT, str(folder), CONFIGS[task], str(checkpoint),
                       '--out-dir', str(out), '--pred-score-thr', '0'],
                      repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in images)
    for image in images:
        check_drawn(task, image, out / image.name)


@pytest.mark.parametrize('task', ['det', 'seg', 'cls'])
def test_draws_a_single_image(task, checkpoint_of, val_images, tmp_path,
                              repo_root):
    checkpoint = checkpoint_of(task)
    image = val_images(task)[0]
    out = tmp_path / 'out'
    result = run_tool([SCRIPT, str(image), CONFIGS[task], str(checkpoint),
                       '--out-dir', str(out), '--pred-score-thr', '0'],
                      repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [p.name for p in out.iterdir()] == [image.name]
    assert str(out / image.name) in result.stdout
    check_drawn(task, image, out / image.name)


def test_detection_draws_no_box_scored_below_the_threshold(
        checkpoint_of, val_images, tmp_path, repo_root):
    image = val_images('det')[0]
    result = run_tool([SCRIPT, str(image), CONFIGS['det'],
                       str(checkpoint_of('det')),
                       '--out-dir', str(tmp_path), '--pred-score-thr', '1'],
                      repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    picture = mmcv.imread(tmp_path / image.name)
    assert difference(picture, mmcv.imread(image)).mean() < JPEG_NOISE


def test_without_checkpoint_warns_once_of_random_weights(val_images, tmp_path,
                                                         repo_root):
    image = val_images('cls')[0]
    result = run_tool([SCRIPT, str(image), CONFIGS['cls'], '--out-dir',
                       str(tmp_path)], repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    warnings = [line for line in result.stderr.splitlines()
                if 'random' in line]
    assert len(warnings) == 1 and warnings[0].startswith('warning: ')
    assert (tmp_path / image.name).is_file()


@pytest.mark.parametrize('case,message', [
    ('missing', 'image or folder {tmp}/nowhere.jpg does not exist'),
    ('empty folder', 'folder {tmp} holds no images'),
    ('not an image', 'image {tmp}/broken.png is broken: it cannot be decoded '
     'as an image (13 bytes); replace it.'),
    ('other scope', 'demo/image_demo.py runs mmpretrain, mmdet and mmseg '
     'configs, but'),
    ('missing checkpoint', 'checkpoint {tmp}/none.pth does not exist'),
])
def test_bad_input_is_one_error_line(case, message, val_images, tmp_path,
                                     repo_root):
    image = str(val_images('cls')[0])
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
    result = run_tool([SCRIPT, *args, '--out-dir', str(tmp_path / 'out')],
                      repo_root)
    assert message.format(tmp=tmp_path) in error_line(result)
    assert not (tmp_path / 'out').exists()


def test_checkpoint_of_another_model_is_refused(checkpoint_of, val_images,
                                                tmp_path, repo_root):
    cls_checkpoint = checkpoint_of('cls')
    image = val_images('det')[0]
    result = run_tool([SCRIPT, str(image), CONFIGS['det'],
                       str(cls_checkpoint), '--out-dir',
                       str(tmp_path / 'out')], repo_root)
    assert (f'checkpoint {cls_checkpoint} does not match the model of the '
            'config') in error_line(result)
    assert not (tmp_path / 'out').exists()


def test_out_dir_that_would_overwrite_the_inputs_is_refused(
        checkpoint_of, val_images, tmp_path, repo_root):
    cls_checkpoint = checkpoint_of('cls')
    image = tmp_path / val_images('cls')[0].name
    shutil.copy(val_images('cls')[0], image)
    before = image.read_bytes()
    result = run_tool([SCRIPT, str(tmp_path), CONFIGS['cls'],
                       str(cls_checkpoint), '--out-dir', str(tmp_path)],
                      repo_root)
    assert 'would overwrite the input images' in error_line(result)
    assert image.read_bytes() == before
