"""The shapes generator (mmca.datasets.shapes): the files of each format,
checked through pycocotools, XML, PNG and the file lists; which sets it
makes and when; and the images themselves."""
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from mmca.datasets.shapes import (CLS_CLASSES, SEG_CLASSES, SEG_PALETTE,
                                  SHAPE_CLASSES, generate, render_object)


def coco_api(root, split='train'):
    from pycocotools.coco import COCO
    return COCO(str(root / 'coco_shapes' / 'annotations' /
                    f'instances_{split}.json'))


def cityscapes_stems(root, split='train'):
    root = root / 'cityscapes_shapes'
    images = sorted((root / 'leftImg8bit' / split).glob('*/*_leftImg8bit.png'))
    return [(img, root / 'gtFine' / split / img.parent.name /
             img.name.replace('_leftImg8bit.png', '_gtFine'))
            for img in images]


def imagenet_meta(root, split):
    """``meta/{split}.txt`` as ``(file below split, label)`` pairs."""
    lines = (root / 'imagenet_shapes' / 'meta' / f'{split}.txt').read_text()
    return [(name, int(label))
            for name, label in (line.split() for line in lines.splitlines())]


def contrast(image, mask):
    """RGB distance between the inside of ``mask`` and a ring around it."""
    mask = mask.astype(np.uint8)
    ring = cv2.dilate(mask, np.ones((9, 9))).astype(bool) & ~cv2.dilate(
        mask, np.ones((3, 3))).astype(bool)
    core = cv2.erode(mask, np.ones((3, 3))) > 0
    return np.linalg.norm(image[core].mean(0) - image[ring].mean(0))


def test_each_format_has_its_layout_and_counts(shapes_data):
    root, num_train, num_val = (shapes_data.root, shapes_data.num_train,
                                shapes_data.num_val)
    coco = root / 'coco_shapes'
    assert len(list((coco / 'train').glob('*.jpg'))) == num_train
    assert len(list((coco / 'val').glob('*.jpg'))) == num_val
    voc07 = root / 'VOCdevkit_shapes' / 'VOC2007'
    main = voc07 / 'ImageSets' / 'Main'
    ids = (main / 'trainval.txt').read_text().split() + \
        (main / 'test.txt').read_text().split()
    assert len(ids) == len(set(ids)) == num_train + num_val
    for img_id in ids:
        assert (voc07 / 'JPEGImages' / f'{img_id}.jpg').is_file()
        assert (voc07 / 'Annotations' / f'{img_id}.xml').is_file()
    for split, count in (('train', num_train), ('val', num_val)):
        pairs = cityscapes_stems(root, split)
        assert len(pairs) == count
        for _, gt in pairs:
            assert Path(f'{gt}_labelTrainIds.png').is_file()
            assert Path(f'{gt}_polygons.json').is_file()
    seg = (root / 'VOCdevkit_shapes' / 'VOC2012' / 'ImageSets' /
           'Segmentation')
    assert len((seg / 'train.txt').read_text().split()) == num_train
    assert len((seg / 'val.txt').read_text().split()) == num_val


def test_imagenet_meta_lists_exactly_the_files_written(shapes_data):
    root = shapes_data.root / 'imagenet_shapes'
    train = imagenet_meta(shapes_data.root, 'train')
    written = [
        path.relative_to(root / 'train').as_posix()
        for path in (root / 'train').rglob('*') if path.is_file()
    ]
    assert sorted(written) == sorted(name for name, _ in train)
    assert len(train) == shapes_data.num_train
    for name, label in train:
        folder = CLS_CLASSES[label]
        assert re.fullmatch(rf'{folder}/{folder}_\d{{6}}\.JPEG', name), name
    assert {label for _, label in train} == set(range(len(CLS_CLASSES)))
    val = imagenet_meta(shapes_data.root, 'val')
    assert sorted(path.name for path in (root / 'val').iterdir()) == \
        sorted(name for name, _ in val)
    assert len(val) == shapes_data.num_val
    for name, label in val:
        assert re.fullmatch(r'ILSVRC2012_val_\d{8}\.JPEG', name), name
        assert 0 <= label < len(CLS_CLASSES)


def test_coco_annotations_match_images(shapes_data):
    coco = coco_api(shapes_data.root)
    assert sorted(coco.getCatIds()) == [1, 2, 3, 4]
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == \
        list(SHAPE_CLASSES)
    contrasts, touches_border, labels = [], False, set()
    for img_info in coco.loadImgs(coco.getImgIds()):
        image = cv2.imread(str(shapes_data.root / 'coco_shapes' / 'train' /
                               img_info['file_name']))
        h, w = image.shape[:2]
        assert (img_info['height'], img_info['width']) == (h, w)
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img_info['id']))
        assert len(anns) >= 2
        for ann in anns:
            labels.add(ann['category_id'])
            assert ann['iscrowd'] == 0
            x, y, bw, bh = ann['bbox']
            assert 0 <= x and 0 <= y and x + bw <= w and y + bh <= h
            touches_border |= x == 0 or y == 0 or x + bw == w or y + bh == h
            mask = coco.annToMask(ann).astype(bool)
            # The polygon lies in the box and covers about `area` pixels.
            assert not mask[:, :x].any() and not mask[:, x + bw:].any()
            assert not mask[:y].any() and not mask[y + bh:].any()
            assert 0.75 * ann['area'] <= mask.sum() <= ann['area']
            # The box spans exactly the pixels the polygon's vertices are in.
            points = np.array(ann['segmentation'][0]).reshape(-1, 2)
            assert [*points.min(0), *(points.max(0) + 1)] == \
                [x, y, x + bw, y + bh]
            assert ann['area'] <= bw * bh
            # The object differs from its surroundings.
            contrasts.append(contrast(image, mask))
    assert labels == {1, 2, 3, 4}
    assert touches_border
    assert np.mean(np.array(contrasts) > 30) > 0.9


def test_voc_xml_matches_format(shapes_data):
    voc07 = shapes_data.root / 'VOCdevkit_shapes' / 'VOC2007'
    truncated = 0
    for xml in sorted((voc07 / 'Annotations').glob('*.xml')):
        root = ET.parse(xml).getroot()
        assert root.findtext('filename') == f'{xml.stem}.jpg'
        image = cv2.imread(str(voc07 / 'JPEGImages' / f'{xml.stem}.jpg'))
        size = root.find('size')
        w, h = (int(size.findtext(k)) for k in ('width', 'height'))
        assert image.shape == (h, w, 3)
        objects = root.findall('object')
        assert len(objects) >= 2
        for obj in objects:
            assert obj.findtext('name') in SHAPE_CLASSES
            assert obj.findtext('difficult') == '0'
            box = [int(obj.find('bndbox').findtext(k))
                   for k in ('xmin', 'ymin', 'xmax', 'ymax')]
            assert 1 <= box[0] < box[2] <= w and 1 <= box[1] < box[3] <= h
            at_border = box[0] == 1 or box[1] == 1 or box[2] == w or \
                box[3] == h
            if obj.findtext('truncated') == '1':
                assert at_border
                truncated += 1
    assert truncated > 0


def test_cityscapes_polygons_reproduce_labels(shapes_data):
    for _, gt in cityscapes_stems(shapes_data.root):
        label = np.array(Image.open(f'{gt}_labelTrainIds.png'))
        assert label.dtype == np.uint8 and label.ndim == 2
        polygons = json.loads(Path(f'{gt}_polygons.json').read_text())
        assert (polygons['imgHeight'], polygons['imgWidth']) == label.shape
        drawn = np.zeros_like(label)
        for obj in polygons['objects']:
            points = np.array(obj['polygon'], np.int32)
            cv2.fillPoly(drawn, [points], SEG_CLASSES.index(obj['label']))
        assert (drawn == label).mean() > 0.99


def test_voc_seg_pngs_carry_the_seg_palette(shapes_data):
    voc12 = shapes_data.root / 'VOCdevkit_shapes' / 'VOC2012'
    ids = (voc12 / 'ImageSets' / 'Segmentation' / 'train.txt').read_text()
    seen = set()
    for img_id in ids.split():
        png = Image.open(voc12 / 'SegmentationClass' / f'{img_id}.png')
        assert png.mode == 'P'
        palette = np.array(png.getpalette()).reshape(-1, 3)
        assert palette[:len(SEG_CLASSES)].tolist() == SEG_PALETTE
        assert palette[255].tolist() == [224, 224, 192]
        label = np.array(png)
        image = Image.open(voc12 / 'JPEGImages' / f'{img_id}.jpg')
        assert label.shape == (image.height, image.width)
        values = set(np.unique(label).tolist())
        assert 255 in values and 0 in values
        assert values <= set(range(len(SEG_CLASSES))) | {255}
        assert (label == 255).mean() < 0.1
        seen |= values
    assert seen == set(range(len(SEG_CLASSES))) | {255}


def test_generate_skips_complete_sets_and_replaces_changed_ones(
        tmp_path, capsys):
    def run(**kwargs):
        generate(tmp_path, tasks=['seg'], num_val=3, **kwargs)
        return capsys.readouterr().out

    assert run(num_train=2).count(' wrote ') == 2
    again = run(num_train=2)
    assert again.count('already complete') == 2 and ' wrote ' not in again
    assert run(num_train=2, force=True).count(' wrote ') == 2
    # Different settings replace the folder, leaving no stale files.
    run(num_train=1)
    assert len(cityscapes_stems(tmp_path)) == 1
    assert not (tmp_path / 'coco_shapes').exists()


def test_files_depend_on_the_seed_alone(shapes_data, tmp_path):
    same, other = tmp_path / 'same', tmp_path / 'other'
    counts = dict(num_train=shapes_data.num_train,
                  num_val=shapes_data.num_val)
    generate(same, seed=0, **counts)
    generate(other, seed=1, **counts)
    files = [
        'coco_shapes/annotations/instances_train.json',
        'coco_shapes/train/000001.jpg',
        'VOCdevkit_shapes/VOC2007/Annotations/000001.xml',
        'VOCdevkit_shapes/VOC2012/SegmentationClass/2012_000001.png',
        'cityscapes_shapes/gtFine/train/aachen/'
        'aachen_000000_000019_gtFine_labelTrainIds.png',
        'imagenet_shapes/train/ell/ell_000000.JPEG',
        'imagenet_shapes/val/ILSVRC2012_val_00000003.JPEG',
    ]
    for name in files:
        reference = (shapes_data.root / name).read_bytes()
        assert (same / name).read_bytes() == reference, name
        assert (other / name).read_bytes() != reference, name


def test_cls_image_holds_one_large_contrasting_object():
    for label in range(len(CLS_CLASSES)):
        for seed in range(4):
            scene = render_object(np.random.default_rng(seed), label)
            [obj] = scene.objects
            assert obj.label == label
            h, w = obj.mask.shape
            x0, y0, x1, y1 = obj.box
            assert 0.4 <= max(x1 - x0, y1 - y0) / min(h, w) <= 0.81
            inside = obj.mask.sum() / cv2.contourArea(
                obj.polygon.astype(np.float32))
            assert inside >= 0.85
            assert contrast(scene.image, obj.mask) > 30


def shape_features(mask):
    """Rotation and scale invariant: area over convex hull, enclosing circle
    and smallest enclosing rectangle."""
    contours, _ = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    _, radius = cv2.minEnclosingCircle(contour)
    _, (rect_w, rect_h), _ = cv2.minAreaRect(contour)
    return [
        area / cv2.contourArea(cv2.convexHull(contour)),
        area / (np.pi * radius**2), area / (rect_w * rect_h)
    ]


def held_out_accuracy(features, labels):
    """Nearest class mean, fitted on the first half, scored on the rest."""
    x = np.array(features)
    x = (x - x.mean(0)) / x.std(0)
    fit = np.arange(len(labels)) < len(labels) // 2
    means = np.stack([
        x[fit & (labels == k)].mean(0) for k in range(len(CLS_CLASSES))
    ])
    predicted = np.linalg.norm(x[~fit, None] - means, axis=2).argmin(1)
    return (predicted == labels[~fit]).mean()


def test_cls_label_is_carried_by_shape_not_colour_or_size():
    shapes, looks = [], []
    labels = np.arange(16 * len(CLS_CLASSES)) % len(CLS_CLASSES)
    for index, label in enumerate(labels):
        scene = render_object(np.random.default_rng(index), label)
        [obj] = scene.objects
        x0, y0, x1, y1 = obj.box
        shapes.append(shape_features(obj.mask))
        looks.append([
            *scene.image[obj.mask].mean(0),
            max(x1 - x0, y1 - y0) / min(obj.mask.shape)
        ])
    assert held_out_accuracy(shapes, labels) >= 0.9
    # Chance is 1/8: the object's colour and size say nothing of its class.
    assert held_out_accuracy(looks, labels) <= 0.3
