"""mmpretrain image lists (meta/train.txt) whose labels the model cannot
take are refused at start-up naming the file, the line, the value and the
range of the classes."""
import pytest
from mmengine.config import Config

from mmca.preflight import check_datasets
from mmca.utils import InputError

LINES = ['circle/c_0.JPEG 0', 'square/s_0.JPEG 1', 'cross/x 0.JPEG 3']


def image_list_config(tmp_path, lines, num_classes=4, **dataset):
    (tmp_path / 'train').mkdir(exist_ok=True)
    (tmp_path / 'meta').mkdir(exist_ok=True)
    (tmp_path / 'meta' / 'train.txt').write_text('\n'.join(lines) + '\n')
    return Config(dict(
        default_scope='mmpretrain',
        model=dict(type='ImageClassifier',
                   head=dict(type='LinearClsHead', num_classes=num_classes)),
        train_dataloader=dict(dataset=dict(
            type='ImageNet', data_root=str(tmp_path),
            ann_file='meta/train.txt', data_prefix='train', **dataset))))


def refusal(cfg):
    with pytest.raises(InputError) as err:
        check_datasets(cfg, ['train'])
    return str(err.value)


def test_a_list_of_labels_within_the_classes_passes(tmp_path):
    check_datasets(image_list_config(tmp_path, LINES), ['train'])


@pytest.mark.parametrize('line,message', [
    ('cross/x_1.JPEG 4', 'class index 4 is outside the 4 classes of the '
     'config (0 to 3); the line is "cross/x_1.JPEG 4". Fix the label, or the '
     "classes of the config (model.head.num_classes, the dataset's "
     'metainfo).'),
    ('cross/x_1.JPEG -1', 'class index -1 is outside the 4 classes of the '
     'config (0 to 3)'),
    ('cross/x_1.JPEG abc', '"abc" is not a class index (each line is '
     '"<image path> <class index>", the index 0 to 3); the line is '
     '"cross/x_1.JPEG abc".'),
    ('cross/x_1.JPEG 2.0', '"2.0" is not a class index'),
])
def test_a_bad_label_is_named_with_its_line_and_the_range(tmp_path, line,
                                                          message):
    cfg = image_list_config(tmp_path, LINES[:2] + [line] + LINES[2:])
    assert refusal(cfg).startswith(
        f'annotation file {tmp_path}/meta/train.txt, line 3: {message}')


def test_a_line_without_a_label_or_empty_is_named(tmp_path):
    cfg = image_list_config(tmp_path, LINES[:1] + ['square/s_1.JPEG'])
    assert refusal(cfg) == (
        f'annotation file {tmp_path}/meta/train.txt, line 2 has no class '
        'index: "square/s_1.JPEG" (each line is "<image path> <class '
        'index>", the index 0 to 3, after one space).')
    cfg = image_list_config(tmp_path, LINES[:1] + [''] + LINES[1:])
    assert refusal(cfg).startswith(
        f'annotation file {tmp_path}/meta/train.txt, line 2 is empty: '
        'remove it')


def test_the_range_is_the_fewer_of_the_dataset_and_head_classes(tmp_path):
    # ImageNet's metainfo names 1000 classes; the head has 4
    cfg = image_list_config(tmp_path, LINES + ['a.JPEG 999'])
    assert 'outside the 4 classes of the config (0 to 3)' in refusal(cfg)
    cfg = image_list_config(tmp_path, LINES, num_classes=1000,
                            metainfo=dict(classes=['a', 'b', 'c']))
    assert 'class index 3 is outside the 3 classes' in refusal(cfg)


def test_a_list_without_labels_is_not_checked_for_them(tmp_path):
    cfg = image_list_config(tmp_path, ['a.JPEG', 'b.JPEG'], with_label=False)
    check_datasets(cfg, ['train'])
