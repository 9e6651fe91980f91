"""COCO annotation files that parse but that mmdet would read wrongly, or
fail on deep in a run, are refused at start-up naming the file and the
entry; what mmdet leaves out by design is counted in one warning line."""
import json

import pytest
from mmengine.config import Config

from mmca.preflight import check_datasets
from mmca.preflight.coco import check_coco_annotations
from mmca.utils import InputError

CLASSES = ('circle', 'square', 'triangle', 'cross')


def coco(**changes):
    """A small valid COCO file of the shapes classes: 2 images, 3 boxes."""
    data = dict(
        images=[dict(id=1, file_name='a.jpg', width=64, height=48),
                dict(id=2, file_name='b.jpg', width=64, height=48)],
        annotations=[
            dict(id=1, image_id=1, category_id=1, bbox=[2, 3, 20, 10],
                 area=200.0, iscrowd=0),
            dict(id=2, image_id=1, category_id=4, bbox=[30, 3, 20, 10],
                 area=200.0, iscrowd=0),
            dict(id=3, image_id=2, category_id=2, bbox=[5, 5, 9, 9],
                 area=81.0, iscrowd=0)],
        categories=[dict(id=k + 1, name=name)
                    for k, name in enumerate(CLASSES)])
    data.update(changes)
    return data


def refusal(data, classes=CLASSES, **kwargs):
    with pytest.raises(InputError) as err:
        check_coco_annotations('ann.json', data, classes, **kwargs)
    return str(err.value)


def test_a_valid_file_passes_without_a_warning():
    assert check_coco_annotations('ann.json', coco(), CLASSES,
                                  training=True) is None


def test_a_class_differing_in_case_is_named_with_its_near_match():
    data = coco()
    data['categories'][3]['name'] = 'Cross'
    assert refusal(data) == (
        'annotation file ann.json has no category "cross", one of the '
        'config\'s classes; it has "Cross" (names must match exactly, case '
        "included). Fix the classes of the config (the dataset's metainfo) "
        "or the category's name in the file.")
    data['categories'][3]['name'] = 'crosses'
    assert 'the nearest it has is "crosses"' in refusal(data)
    data['categories'][3]['name'] = 'x'
    assert 'its categories are "circle", "square", "triangle", "x"' in \
        refusal(data)


def test_classes_in_another_order_than_the_categories_are_refused():
    assert refusal(coco(), classes=('square', 'circle')) == (
        'the config\'s classes ("square", "circle") are not in the order of '
        'the categories of ann.json ("circle", "square"): mmdet numbers the '
        "classes in the file's order, so each class would carry another's "
        'name. List the classes in the order of the file.')


def test_a_class_named_by_two_categories_is_refused():
    data = coco()
    data['categories'].append(dict(id=5, name='cross'))
    assert refusal(data).startswith(
        'annotation file ann.json names 2 categories "cross"')


@pytest.mark.parametrize('key,message', [
    ('images', 'annotation file ann.json gives id 1 to two images, images[0] '
     '("a.jpg") and images[1] ("b.jpg"): one image would be lost and the '
     'other given the boxes of both. Give each image its own id.'),
    ('annotations', 'annotation file ann.json gives id 1 to two annotations, '
     'annotations[0] (of image 1) and annotations[1] (of image 1): one would '
     'replace the other. Give each annotation its own id.'),
    ('categories', 'annotation file ann.json gives id 1 to two categories, '
     'categories[0] ("circle") and categories[1] ("square"): their '
     'annotations would all go to one of them. Give each category its own '
     'id.'),
])
def test_a_duplicate_id_is_refused_naming_both_entries(key, message):
    data = coco()
    data[key][1]['id'] = 1
    assert refusal(data) == message


def test_an_annotation_of_an_unknown_image_or_category_is_refused():
    data = coco()
    data['annotations'][2]['image_id'] = 9
    assert refusal(data) == (
        'annotation file ann.json: annotations[2] (id 3) is of image id 9, '
        'which "images" does not list. Add the image, or remove the '
        'annotation.')
    data = coco()
    data['annotations'][1]['category_id'] = 7
    assert refusal(data) == (
        'annotation file ann.json: annotations[1] (id 2) has category id 7, '
        'which "categories" does not list (it lists ids 1, 2, 3, 4). Fix its '
        'category_id, or add the category.')


@pytest.mark.parametrize('key', ['images', 'annotations', 'categories'])
def test_a_missing_or_mistyped_list_is_named(key):
    data = coco()
    del data[key]
    assert refusal(data) == (
        f'annotation file ann.json has no "{key}": a COCO annotation file '
        'lists "images", "annotations" and "categories". Is it a file of '
        'another format, or one cut down by hand?')
    assert refusal(coco(**{key: {}})) == (
        f'annotation file ann.json: "{key}" is an object, where COCO has a '
        'list of objects.')


def test_a_test_set_may_come_without_annotations():
    data = coco()
    del data['annotations']
    check_coco_annotations('ann.json', data, CLASSES, with_annotations=False)
    assert 'lists no images' in refusal(coco(images=[]))
    assert refusal([coco()]).startswith(
        'annotation file ann.json is not a COCO annotation file: it holds a '
        'list, where COCO holds an object')


@pytest.mark.parametrize('key,index,field,value,message', [
    ('images', 1, 'width', None, 'images[1] (id 2) has no "width" (each of '
     '"images" has "id", "file_name", "width", "height")'),
    ('annotations', 0, 'area', None, 'annotations[0] (id 1) has no "area"'),
    ('annotations', 0, 'bbox', [1, 2, 3], 'annotations[0] (id 1) has bbox '
     '[1, 2, 3], not 4 numbers [x, y, width, height]'),
    ('images', 0, 'height', '48', "images[0] (id 1) has height '48', not a "
     'number'),
    ('categories', 2, 'id', [3], 'categories[2] has the id [3]; an id is a '
     'number or a string'),
])
def test_an_entry_without_what_mmdet_reads_is_named(key, index, field, value,
                                                    message):
    data = coco()
    if value is None:
        del data[key][index][field]
    else:
        data[key][index][field] = value
    assert refusal(data).startswith(f'annotation file ann.json: {message}')


def test_what_mmdet_leaves_out_by_design_is_counted_in_one_line():
    data = coco()
    data['annotations'] += [
        dict(id=4, image_id=2, category_id=3, bbox=[70, 5, 9, 9], area=81.0),
        dict(id=5, image_id=2, category_id=3, bbox=[5, 5, 0, 9], area=0.0)]
    data['images'].append(dict(id=3, file_name='c.jpg', width=64, height=20))
    warning = check_coco_annotations(
        'ann.json', data, ('circle', 'square', 'triangle'), training=True,
        filter_cfg=dict(filter_empty_gt=True, min_size=32))
    assert warning == (
        'annotation file ann.json: mmdet leaves out of training, by design, '
        '2 box(es) that are empty, under a pixel wide or outside their image '
        '(the first: annotations[3] (id 4)); 1 annotation(s) of categories '
        'not among the config\'s classes ("cross"); 1 image(s) without a box '
        'of the classes (filter_cfg.filter_empty_gt); 1 image(s) smaller '
        'than filter_cfg.min_size 32')
    assert check_coco_annotations('ann.json', data, CLASSES) is None


def coco_config(tmp_path, data, **evaluator):
    (tmp_path / 'train').mkdir()
    (tmp_path / 'ann.json').write_text(json.dumps(data))
    dataset = dict(type='CocoDataset', data_root=f'{tmp_path}/',
                   ann_file='ann.json', data_prefix=dict(img='train/'),
                   metainfo=dict(classes=CLASSES))
    return Config(dict(
        default_scope='mmdet', train_dataloader=dict(dataset=dataset),
        val_dataloader=dict(dataset=dict(dataset, test_mode=True)),
        val_evaluator=dict(type='CocoMetric',
                           ann_file=str(tmp_path / 'ann.json'), **evaluator)))


def test_check_datasets_checks_the_dataset_and_the_evaluator_file(tmp_path,
                                                                  capsys):
    data = coco()
    data['categories'][3]['name'] = 'Cross'
    cfg = coco_config(tmp_path, data)
    for split in ('train', 'val'):
        with pytest.raises(InputError, match=f'annotation file {tmp_path}/'
                           'ann.json has no category "cross"'):
            check_datasets(cfg, [split])
    data['categories'][3]['name'] = 'cross'
    data['annotations'][0]['bbox'] = [2, 3, 0, 10]
    (tmp_path / 'fixed').mkdir()
    check_datasets(coco_config(tmp_path / 'fixed', data), ['train', 'val'])
    warnings = capsys.readouterr().err.splitlines()
    assert warnings == [
        f'warning: annotation file {tmp_path}/fixed/ann.json: mmdet leaves '
        'out of training, by design, 1 box(es) that are empty, under a pixel '
        'wide or outside their image (the first: annotations[0] (id 1))']


def test_an_evaluator_file_without_the_images_of_the_set_is_refused(
        tmp_path):
    cfg = coco_config(tmp_path, coco())
    (tmp_path / 'other.json').write_text(json.dumps(coco(
        images=coco()['images'][:1],
        annotations=coco()['annotations'][:2])))
    cfg.val_evaluator.ann_file = str(tmp_path / 'other.json')
    with pytest.raises(InputError) as err:
        check_datasets(cfg, ['val'])
    assert str(err.value) == (
        f'val_evaluator.ann_file {tmp_path}/other.json does not list image id '
        f'2 of {tmp_path}/ann.json (1 of its 2 images are not there): the '
        'metric could not score their predictions. Set val_evaluator.ann_file '
        f'to {tmp_path}/ann.json.')
