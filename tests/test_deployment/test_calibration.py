"""Calibration images reach the quantizer as the network sees them at test
time: read, resized and normalised by the config's own pipeline, checked
here against OpenCV and the normalisation written out by hand."""
import cv2
import numpy as np
import pytest

from mmca.apis import build_inference_model
from mmca.cli import load_config
from mmca.deployment import calibration_inputs
from mmca.utils import InputError

CONFIG = 'configs/demo/mbv2_ca_shapes_cls.py'   # Resize to 64x64, no crop


@pytest.fixture(scope='module')
def classifier(repo_root):
    cfg = load_config(f'{repo_root}/{CONFIG}')
    return cfg, build_inference_model(cfg)


def as_network_input(path, size, mean, std):
    """What the test pipeline and the data preprocessor should make of the
    image at ``path``: (1, 3, size, size) float32, RGB, normalised."""
    bgr = cv2.resize(cv2.imread(path), (size, size),
                     interpolation=cv2.INTER_LINEAR)
    rgb = bgr[..., ::-1].astype(np.float32)
    return ((rgb - mean) / std).transpose(2, 0, 1)[None]


def write_images(folder, count, sizes=((48, 80), (90, 60))):
    """``count`` random images of alternating sizes (H, W), two per
    subfolder as in an ImageNet-layout train folder; their sorted paths."""
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        sub = folder / f'class_{i // 2}'
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f'img_{i}.png'
        cv2.imwrite(str(path), rng.integers(0, 256, (*sizes[i % 2], 3),
                                            dtype=np.uint8))
        paths.append(str(path))
    return sorted(paths)


def test_images_of_a_folder_go_through_the_test_pipeline(classifier,
                                                         tmp_path):
    cfg, model = classifier
    paths = write_images(tmp_path / 'calib', 5)
    inputs = calibration_inputs(cfg, model, 3, str(tmp_path / 'calib'))
    preprocessor = cfg.data_preprocessor      # mmpretrain's top-level key
    mean = np.array(preprocessor['mean'], np.float32)
    std = np.array(preprocessor['std'], np.float32)
    assert len(inputs) == 3
    for x, path in zip(inputs, [paths[0], paths[2], paths[4]]):  # spread
        want = as_network_input(path, cfg.input_size, mean, std)
        assert x.dtype == np.float32 and x.shape == want.shape
        # mmcv resizes with OpenCV's bilinear filter too: equal to rounding
        np.testing.assert_allclose(x, want, atol=1e-5)


def test_more_images_asked_than_there_are_takes_them_all(classifier,
                                                         tmp_path):
    cfg, model = classifier
    write_images(tmp_path / 'calib', 2)
    assert len(calibration_inputs(cfg, model, 10,
                                  str(tmp_path / 'calib'))) == 2


def test_images_of_several_sizes_are_refused(classifier, tmp_path):
    cfg, model = classifier
    cfg = cfg.copy()
    cfg.test_pipeline = [dict(type='LoadImageFromFile'),
                         dict(type='Resize', scale=(64, 64), keep_ratio=True),
                         dict(type='PackInputs')]
    write_images(tmp_path / 'calib', 2)
    with pytest.raises(InputError, match='several sizes'):
        calibration_inputs(cfg, model, 2, str(tmp_path / 'calib'))


@pytest.mark.parametrize('setup,count,message', [
    ('empty', 4, 'holds no .jpg/.jpeg/.png/.bmp images'),
    ('missing', 4, 'is not a directory'),
    ('empty', 0, '--calib-images must be at least 1'),
])
def test_bad_calibration_data_is_named(classifier, tmp_path, setup, count,
                                       message):
    cfg, model = classifier
    folder = tmp_path / 'calib'
    if setup == 'empty':
        folder.mkdir()
        (folder / 'notes.txt').write_text('no images here')
    with pytest.raises(InputError, match=message):
        calibration_inputs(cfg, model, count, str(folder))
