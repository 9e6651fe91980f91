"""Broken images and label maps are named in one line (docs/reliability.md)."""
import logging
from unittest.mock import patch

import cv2
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose, LoadImageFromFile
from mmengine.logging import MMLogger

from mmca.datasets import (BrokenDataError, CheckedLoadImageFromFile,
                           CheckSegLabels)


def write_jpeg(path, seed=0):
    image = np.random.default_rng(seed).integers(0, 255, (24, 32, 3),
                                                 np.uint8)
    cv2.imwrite(str(path), image)
    return path


@pytest.fixture
def listed(tmp_path):
    """An mmpretrain-style set: meta/train.txt lines '<file> <label>'."""
    (tmp_path / 'train').mkdir()
    (tmp_path / 'meta').mkdir()
    names = [f'img_{n}.jpg' for n in range(3)]
    for seed, name in enumerate(names):
        write_jpeg(tmp_path / 'train' / name, seed)
    (tmp_path / 'meta' / 'train.txt').write_text(
        ''.join(f'{name} {label}\n' for label, name in enumerate(names)))
    return tmp_path


def break_image(path, how):
    data = path.read_bytes()
    if how == 'missing':
        path.unlink()
    elif how == 'empty':
        path.write_bytes(b'')
    elif how == 'truncated':
        path.write_bytes(data[:len(data) // 2])
    else:
        path.write_bytes(b'not an image at all' * 10)


PROBLEMS = {
    'missing': 'it does not exist',
    'empty': 'it is empty (0 bytes)',
    'truncated': 'it is truncated (a JPEG of {half} bytes without its end '
                 'marker)',
    'garbage': 'it cannot be decoded as an image (190 bytes)',
}


@pytest.mark.parametrize('how', PROBLEMS)
def test_a_broken_image_stops_naming_the_file_and_its_line(listed, how):
    image = listed / 'train' / 'img_1.jpg'
    half = len(image.read_bytes()) // 2
    break_image(image, how)
    ann_file = str(listed / 'meta' / 'train.txt')
    load = CheckedLoadImageFromFile(ann_file=ann_file, training=True)
    with pytest.raises(BrokenDataError) as err:
        load(dict(img_path=str(image), gt_label=1, sample_idx=1))
    assert str(err.value) == (
        f'image {image} (line 2 of {ann_file}) is broken: '
        f'{PROBLEMS[how].format(half=half)}. Replace the file or remove its '
        'entry; training can leave broken images out with --cfg-options '
        'broken_images=skip.')


def test_only_training_steps_tell_of_skipping(listed):
    # validation and tools/test.py always stop: skipping is no fix there
    image = listed / 'train' / 'img_1.jpg'
    break_image(image, 'empty')
    with pytest.raises(BrokenDataError) as err:
        CheckedLoadImageFromFile()(dict(img_path=str(image)))
    assert str(err.value).endswith(
        'is broken: it is empty (0 bytes). Replace the file or remove its '
        'entry.')


@pytest.mark.parametrize('results,entry', [
    (dict(img_id=7), 'COCO image id 7 in ann.json'),
    (dict(img_id='000005'), "image id '000005' in ann.json"),
    (dict(seg_map_path='gt/a_labelTrainIds.png'),
     'label map gt/a_labelTrainIds.png'),
])
def test_the_entry_is_named_in_the_words_of_each_library(tmp_path, results,
                                                         entry):
    ann_file = 'ann.txt' if isinstance(results.get('img_id'), str) else \
        'ann.json'
    entry = entry.replace('ann.json', ann_file)
    missing = str(tmp_path / 'a.jpg')
    with pytest.raises(BrokenDataError, match=f'^image {missing} '
                       rf'\({entry}\) is broken: it does not exist\.'):
        CheckedLoadImageFromFile(ann_file=ann_file)(
            dict(results, img_path=missing))


def test_an_intact_image_loads_as_mmcv_loads_it(listed):
    results = dict(img_path=str(listed / 'train' / 'img_0.jpg'))
    ours = CheckedLoadImageFromFile(to_float32=True)(dict(results))
    mmcv_ = LoadImageFromFile(to_float32=True)(dict(results))
    assert np.array_equal(ours['img'], mmcv_['img'])
    assert ours['img_shape'] == ours['ori_shape'] == (24, 32)


def test_skip_warns_once_a_file_with_a_count(listed):
    for name in ('img_0.jpg', 'img_2.jpg'):
        break_image(listed / 'train' / name, 'garbage')
    load = CheckedLoadImageFromFile(
        on_broken='skip', ann_file=str(listed / 'meta' / 'train.txt'))
    logger = MMLogger.get_current_instance()
    with patch.object(logger, 'log') as log:
        for name in ('img_0.jpg', 'img_0.jpg', 'img_2.jpg'):
            assert load(dict(img_path=str(listed / 'train' / name))) is None
    assert {call.args[0] for call in log.call_args_list} == {logging.WARNING}
    lines = [call.args[1] for call in log.call_args_list]
    assert len(lines) == 2
    assert lines[0].startswith(f'skipping image {listed}/train/'
                               'img_0.jpg (line 1 of ')
    assert lines[0].endswith('; 1 broken image(s) skipped so far by this '
                             'process')
    assert lines[1].endswith('; 2 broken image(s) skipped so far by this '
                             'process')


def listed_dataset(root, on_broken, test_mode=False):
    from mmpretrain.datasets import CustomDataset
    return CustomDataset(
        data_root=str(root), ann_file='meta/train.txt', data_prefix='train',
        test_mode=test_mode,
        pipeline=[dict(type='CheckedLoadImageFromFile', on_broken=on_broken,
                       ann_file=str(root / 'meta' / 'train.txt'))])


def test_a_training_set_that_skips_takes_another_image(listed):
    break_image(listed / 'train' / 'img_1.jpg', 'truncated')
    dataset = listed_dataset(listed, 'skip')
    for _ in range(5):
        assert not dataset[1]['img_path'].endswith('img_1.jpg')


def test_a_worker_error_reaches_the_main_process_as_its_one_line(listed):
    break_image(listed / 'train' / 'img_1.jpg', 'missing')
    loader = torch.utils.data.DataLoader(
        listed_dataset(listed, 'stop', test_mode=True), num_workers=1,
        collate_fn=lambda batch: batch,
        multiprocessing_context='fork')
    with pytest.raises(BrokenDataError) as err:
        list(loader)
    assert str(err.value) == (
        f'image {listed}/train/img_1.jpg (line 2 of {listed}/meta/train.txt) '
        'is broken: it does not exist. Replace the file or remove its '
        'entry.')


def test_label_values_outside_the_classes_are_named(tmp_path):
    from mmseg.datasets.transforms import LoadAnnotations
    label = tmp_path / 'a_labelTrainIds.png'
    values = np.array([[0, 1, 255], [4, 7, 9]], np.uint8)
    cv2.imwrite(str(label), values)
    pipeline = Compose([LoadAnnotations(), CheckSegLabels(num_classes=5)])
    results = dict(img_path='a.png', seg_map_path=str(label), seg_fields=[],
                   reduce_zero_label=False)
    with pytest.raises(BrokenDataError) as err:
        pipeline(results)
    assert str(err.value) == (
        f'label map {label} (of image a.png) has values 7, 9, outside the 5 '
        'classes (0 to 4) and the ignore index 255. Convert it to class '
        "indices (tools/dataset_converters/), or fix the config's classes.")
    cv2.imwrite(str(label), np.minimum(values, 4) | (values == 255) * 255)
    assert pipeline(dict(results))['gt_seg_map'].max() == 255


def coco_sample(path, width=32, height=24):
    """A sample as mmdet's CocoDataset gives it to the pipeline."""
    return dict(img_path=str(path), img_id=3, width=width, height=height)


def test_an_image_of_another_size_than_its_entry_is_refused(tmp_path):
    image = tmp_path / 'a.png'
    cv2.imwrite(str(image), np.zeros((1, 1, 3), np.uint8))
    with pytest.raises(BrokenDataError) as err:
        CheckedLoadImageFromFile(ann_file='ann.json', training=True)(
            coco_sample(image))
    assert str(err.value) == (
        f'image {image} (COCO image id 3 in ann.json) does not fit its '
        'entry: its entry gives it 32x24 pixels (width x height), but it '
        'decodes to 1x1, so its boxes would miss their objects. Fix width '
        'and height (and the boxes) in the annotation file, or replace the '
        'image with the one annotated; training can leave broken images out '
        'with --cfg-options broken_images=skip.')


def test_an_image_turned_by_its_exif_orientation_is_named_so(tmp_path):
    from PIL import Image
    image = tmp_path / 'turned.jpg'
    exif = Image.Exif()
    exif[0x0112] = 6    # the orientation tag: turn 90 degrees to show
    Image.new('RGB', (32, 24)).save(image, exif=exif)
    with pytest.raises(BrokenDataError) as err:
        CheckedLoadImageFromFile(ann_file='ann.json')(coco_sample(image))
    assert str(err.value) == (
        f'image {image} (COCO image id 3 in ann.json) does not fit its '
        'entry: its entry gives it 32x24 pixels (width x height), but it '
        'decodes to 24x32, so its boxes would miss their objects: its EXIF '
        'orientation turns it as it is decoded. Strip the orientation tag '
        '(exiftool -Orientation= FILE) to keep the pixels as annotated, or '
        'save it upright and fix its width, height and boxes.')
    loaded = CheckedLoadImageFromFile(color_type='color_ignore_orientation')(
        coco_sample(image))
    assert loaded['img_shape'] == (24, 32)
