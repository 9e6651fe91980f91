"""The Cityscapes and SBD converters on tiny samples in the real layouts."""
import json

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat
from tool_process import error_line, run_tool

CITYSCAPES = 'tools/dataset_converters/cityscapes.py'
VOC_AUG = 'tools/dataset_converters/voc_aug.py'
pytestmark = pytest.mark.slow  # each test starts a converter


def test_cityscapes_polygons_become_train_ids(tmp_path, repo_root):
    city = tmp_path / 'cityscapes' / 'gtFine' / 'train' / 'aachen'
    city.mkdir(parents=True)
    stem = 'aachen_000000_000019_gtFine'
    polygons = dict(imgHeight=40, imgWidth=60, objects=[
        dict(label='road', polygon=[[0, 20], [59, 20], [59, 39], [0, 39]]),
        dict(label='car', polygon=[[10, 25], [30, 25], [30, 35], [10, 35]]),
        dict(label='sky', polygon=[[0, 0], [59, 0], [59, 9], [0, 9]]),
        dict(label='ego vehicle',
             polygon=[[50, 30], [59, 30], [59, 39], [50, 39]]),
    ])
    (city / f'{stem}_polygons.json').write_text(json.dumps(polygons))
    result = run_tool([CITYSCAPES, str(tmp_path / 'cityscapes')], repo_root)
    assert result.returncode == 0, result.stderr
    labels = np.array(Image.open(city / f'{stem}_labelTrainIds.png'))
    assert labels.shape == (40, 60) and labels.dtype == np.uint8
    # official train ids: road 0, sky 10, car 13; unlabeled and ego vehicle 255
    assert labels[30, 5] == 0 and labels[30, 20] == 13 and labels[5, 30] == 10
    assert labels[15, 30] == 255 and labels[35, 55] == 255
    split = (tmp_path / 'cityscapes' / 'train.txt').read_text().split()
    assert split == ['aachen/aachen_000000_000019']


def test_cityscapes_without_gt_is_a_clear_error(tmp_path, repo_root):
    result = run_tool([CITYSCAPES, str(tmp_path)], repo_root)
    assert 'gtFine does not exist' in error_line(result)


def test_sbd_maps_become_the_aug_set(tmp_path, repo_root):
    voc = tmp_path / 'VOCdevkit' / 'VOC2012'
    (voc / 'SegmentationClass').mkdir(parents=True)
    (voc / 'ImageSets' / 'Segmentation').mkdir(parents=True)
    (voc / 'ImageSets/Segmentation/train.txt').write_text('2007_000032\n')
    (voc / 'ImageSets/Segmentation/val.txt').write_text('2007_000033\n')
    Image.fromarray(np.full((4, 5), 7, np.uint8), 'P').save(
        voc / 'SegmentationClass/2007_000032.png')
    sbd = tmp_path / 'benchmark_RELEASE' / 'dataset'
    (sbd / 'cls').mkdir(parents=True)
    (sbd / 'train.txt').write_text('2008_000002\n2007_000033\n')
    (sbd / 'val.txt').write_text('2008_000003\n')
    for name, value in [('2008_000002', 15), ('2008_000003', 3),
                        ('2007_000033', 1)]:
        seg = np.zeros((6, 8), np.uint8)
        seg[2:5, 1:6] = value
        gt = np.zeros((1, ), dtype=[('Segmentation', 'O')])
        gt[0]['Segmentation'] = seg
        savemat(sbd / 'cls' / f'{name}.mat', {'GTcls': gt})
    result = run_tool([VOC_AUG, str(tmp_path / 'VOCdevkit'),
                       str(tmp_path / 'benchmark_RELEASE')], repo_root)
    assert result.returncode == 0, result.stderr
    out = voc / 'SegmentationClassAug'
    label = Image.open(out / '2008_000002.png')
    assert label.mode == 'P'
    assert label.getpalette()[15 * 3:15 * 3 + 3] == [192, 128, 128]   # person
    array = np.array(label)
    assert array[3, 3] == 15 and array[0, 0] == 0
    assert (out / '2007_000032.png').exists()          # VOC's own maps too
    aug = (voc / 'ImageSets/Segmentation/aug.txt').read_text().split()
    assert aug == ['2007_000032', '2008_000002', '2008_000003']   # less val
