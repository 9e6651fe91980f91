"""The positions set (mmca.datasets.positions): each label is how the two
crosses drawn in its image line up, read back from the written files; the
classes are kept apart by a margin; ShapesPositions reads the set and the
demo config builds on it."""
import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import DATASETS, MODELS, DefaultScope

from mmca.cli import load_config
from mmca.datasets.positions import (CROSS, IMAGE_SIZE, POSITION_CLASSES,
                                     alignment_label, generate_positions,
                                     render_positions, sample_centres)
from mmca.datasets.positions.layout import (ALIGN_TOLERANCE, BORDER, MIN_APART,
                                            MIN_MISALIGNMENT)
from mmca.datasets.shapes import scene_rng

CONFIG = 'configs/demo/mbv2_ca_positions_cls.py'
SEED, NUM_TRAIN, NUM_VAL = 3, 15, 6


@pytest.fixture(scope='module')
def positions_set(tmp_path_factory):
    out = tmp_path_factory.mktemp('positions')
    generate_positions(out, SEED, NUM_TRAIN, NUM_VAL)
    return out / 'imagenet_positions'


def meta(root, split):
    """``meta/{split}.txt`` as ``(file below split, label)`` pairs."""
    lines = (root / 'meta' / f'{split}.txt').read_text().splitlines()
    return [(name, int(label)) for name, label in map(str.split, lines)]


def read_rgb(path):
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def centroid(mask):
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


def contrast(image, mask):
    """RGB distance between the inside of ``mask`` and a ring around it."""
    mask = mask.astype(np.uint8)
    ring = cv2.dilate(mask, np.ones((5, 5))).astype(bool) & ~mask.astype(bool)
    core = cv2.erode(mask, np.ones((3, 3))) > 0
    return np.linalg.norm(image[core].mean(0) - image[ring].mean(0))


def test_each_label_is_how_the_drawn_crosses_line_up(positions_set):
    counts = np.zeros(len(POSITION_CLASSES), int)
    for split, count in (('train', NUM_TRAIN), ('val', NUM_VAL)):
        listed = meta(positions_set, split)
        assert len(listed) == count
        for index, (name, label) in enumerate(listed):
            image = read_rgb(positions_set / split / name)
            assert image.shape == (IMAGE_SIZE, IMAGE_SIZE, 3)
            if split == 'train':
                assert name.startswith(f'{POSITION_CLASSES[label]}/')
            # the objects the file was drawn with: the scene of its index
            scene = render_positions(
                scene_rng(SEED, 'positions', split, index), label)
            # (JPEG and pixel noise differ by ~6 a channel; scenes by ~60)
            assert np.abs(image.astype(int) - scene.image).mean() < 12
            assert [obj.label for obj in scene.objects] == [CROSS] * 2
            for obj in scene.objects:  # each stands out in the file
                assert contrast(image, obj.mask) > 40
            assert not (scene.objects[0].mask & scene.objects[1].mask).any()
            # the label from the crosses' pixels, with a pixel of margin
            dx, dy = np.abs(centroid(scene.objects[0].mask) -
                            centroid(scene.objects[1].mask))
            drawn = ('row' if dy <= ALIGN_TOLERANCE + 1
                     and dx >= MIN_APART - 1 else
                     'column' if dx <= ALIGN_TOLERANCE + 1
                     and dy >= MIN_APART - 1 else
                     'neither' if min(dx, dy) >= MIN_MISALIGNMENT - 1 else
                     None)
            assert drawn == POSITION_CLASSES[label], (split, name)
            counts[label] += 1
    assert counts.max() - counts.min() <= 2      # classes take turns


def test_a_set_is_kept_until_its_settings_change(tmp_path, capsys):
    generate_positions(tmp_path, 0, 3, 3)
    generate_positions(tmp_path, 0, 3, 3)
    generate_positions(tmp_path, 1, 3, 3)
    out = capsys.readouterr().out.splitlines()
    root = tmp_path / 'imagenet_positions'
    assert out[0].startswith(f'{root}: wrote 3 train + 3 val images')
    assert out[1].startswith(f'{root}: already complete, skipped')
    assert out[2].startswith(f'{root}: wrote 3 train + 3 val images')


def test_alignment_label_leaves_a_margin_between_classes():
    a = np.array([20.0, 30.0])
    row, column, neither = range(3)
    assert alignment_label(a, a + [MIN_APART, ALIGN_TOLERANCE]) == row
    assert alignment_label(a, a + [-ALIGN_TOLERANCE, MIN_APART]) == column
    assert alignment_label(a, a + [MIN_MISALIGNMENT] * 2) == neither
    # between the classes: no label
    assert alignment_label(a, a + [MIN_APART, ALIGN_TOLERANCE + 1]) == -1
    assert alignment_label(a, a + [MIN_APART - 1, 0]) == -1
    assert alignment_label(a, a + [MIN_MISALIGNMENT - 1, 30]) == -1


def test_centres_have_the_asked_label_inside_the_border():
    for index in range(90):
        label = index % 3
        a, b = sample_centres(scene_rng(0, 'layout', 'test', index), label)
        assert alignment_label(a, b) == label
        assert BORDER <= min(*a, *b) and max(*a, *b) <= IMAGE_SIZE - 1 - BORDER


def test_the_demo_config_builds_and_reads_the_set(positions_set):
    cfg = load_config(CONFIG)
    assert cfg.model.head.num_classes == len(POSITION_CLASSES)
    root = f'{positions_set}/'
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        train = DATASETS.build({**cfg.train_dataloader.dataset,
                                'data_root': root})
        val = DATASETS.build({**cfg.val_dataloader.dataset,
                              'data_root': root})
        model = MODELS.build(cfg.model)
    assert train.metainfo['classes'] == POSITION_CLASSES
    assert len(train) == NUM_TRAIN and len(val) == NUM_VAL
    assert [val.get_gt_labels()[i] for i in range(NUM_VAL)] == \
        [label for _, label in meta(positions_set, 'val')]
    batch = model.data_preprocessor(
        dict(inputs=[val[i]['inputs'] for i in range(2)],
             data_samples=[val[i]['data_samples'] for i in range(2)]))
    assert batch['inputs'].shape == (2, 3, IMAGE_SIZE, IMAGE_SIZE)
    model.eval()
    with torch.no_grad():
        predictions = model(**batch, mode='predict')
    assert predictions[0].pred_score.shape == (len(POSITION_CLASSES), )
