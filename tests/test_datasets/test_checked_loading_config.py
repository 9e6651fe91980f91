"""The tools' dataloaders name broken data: which transforms build_runner
puts in the configs (annotation files: tests/test_preflight)."""
import pytest

from mmca.cli import load_config
from mmca.datasets import use_checked_loading
from mmca.utils import InputError

SEG = 'configs/demo/deeplabv3_mbv2_ca_shapes.py'
CLS = 'configs/demo/mbv2_ca_shapes_cls.py'


def steps(cfg, split, kind):
    return [step for step in cfg[f'{split}_dataloader'].dataset.pipeline
            if step['type'] == kind]


def test_training_skips_broken_images_only_when_asked(repo_root):
    cfg = load_config(f'{repo_root}/{CLS}', {'broken_images': 'skip'})
    use_checked_loading(cfg)
    train, = steps(cfg, 'train', 'CheckedLoadImageFromFile')
    val, = steps(cfg, 'val', 'CheckedLoadImageFromFile')
    assert train['on_broken'] == 'skip' and val['on_broken'] == 'stop'
    # only a training step's message tells of broken_images=skip
    assert train['training'] and not val['training']
    assert train['ann_file'] == 'data/imagenet_shapes/meta/train.txt'
    assert not steps(cfg, 'train', 'LoadImageFromFile')
    default = load_config(f'{repo_root}/{CLS}')
    use_checked_loading(default)
    assert steps(default, 'train', 'CheckedLoadImageFromFile')[0][
        'on_broken'] == 'stop'


def test_segmentation_labels_are_checked_against_the_classes(repo_root):
    cfg = load_config(f'{repo_root}/{SEG}')
    use_checked_loading(cfg)
    use_checked_loading(cfg)    # twice changes nothing more
    for split in ('train', 'val', 'test'):
        pipeline = [step['type'] for step in
                    cfg[f'{split}_dataloader'].dataset.pipeline]
        assert pipeline.count('CheckSegLabels') == 1
        assert pipeline[pipeline.index('LoadAnnotations') + 1] == \
            'CheckSegLabels'
        check, = steps(cfg, split, 'CheckSegLabels')
        assert (check['num_classes'], check['ignore_index']) == (5, 255)


def test_an_unknown_broken_images_action_is_refused(repo_root):
    cfg = load_config(f'{repo_root}/{CLS}', {'broken_images': 'ignore'})
    with pytest.raises(InputError, match="broken_images='ignore': it is one "
                       "of 'stop', 'skip'"):
        use_checked_loading(cfg)
