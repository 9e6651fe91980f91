"""The demo configs on tiny generated sets: what the end-to-end tool tests
share. ``conftest.py`` makes each set and trains each tiny run once a
session (fixtures ``tiny_set`` and ``tiny_run``); a test that needs a run
of its own builds its command line from ``tiny_options``.
"""
from pathlib import Path
from typing import List, Optional

from tool_process import run_tool

CONFIGS = {'det': 'configs/demo/ssdlite_mbv2_ca_shapes.py',
           'seg': 'configs/demo/deeplabv3_mbv2_ca_shapes.py',
           'cls': 'configs/demo/mbv2_ca_shapes_cls.py'}
#: The folder tools/make_demo_data.py writes each task's set to.
SET_DIRS = {'det': 'coco_shapes', 'seg': 'cityscapes_shapes',
            'cls': 'imagenet_shapes'}
#: Train and val images of each tiny set (cls: one train image per class).
SIZES = {'det': (24, 8), 'seg': (6, 3), 'cls': (8, 4)}
#: Length of the shared tiny run: epochs (det, cls) or iterations (seg).
LENGTHS = {'det': 2, 'seg': 6, 'cls': 1}


def make_set(out: Path, task: str, repo_root: str) -> Path:
    """Generate the task's tiny set under ``out``; its root."""
    train, val = SIZES[task]
    result = run_tool(['tools/make_demo_data.py', '--out', str(out),
                       '--tasks', task, '--num-train', str(train),
                       '--num-val', str(val)], repo_root)
    assert result.returncode == 0, result.stderr
    return out / SET_DIRS[task]


def last_checkpoint_name(task: str, length: Optional[int] = None) -> str:
    """The checkpoint a tiny run of ``length`` ends with."""
    length = length or LENGTHS[task]
    return f'iter_{length}.pth' if task == 'seg' else f'epoch_{length}.pth'


def data_options(task: str, root: Path) -> List[str]:
    """``--cfg-options`` that point the demo config at a set under ``root``."""
    options = [f'{split}_dataloader.dataset.data_root={root}/'
               for split in ('train', 'val', 'test')]
    if task == 'det':
        ann = f'{root}/annotations/instances_val.json'
        options += [f'val_evaluator.ann_file={ann}',
                    f'test_evaluator.ann_file={ann}']
    return options


def tiny_options(task: str, root: Path, work_dir: Path,
                 length: Optional[int] = None) -> List[str]:
    """``--work-dir`` and ``--cfg-options`` of a tiny run: the demo config
    on the set under ``root`` for ``length`` epochs (det, cls) or
    iterations (seg), validated and saved at its end, logging every
    iteration. Options appended after these override them."""
    length = length or LENGTHS[task]
    schedule = {
        # 128 px: the demo's 320 px would make each iteration 6x slower
        'det': ['train_dataloader.batch_size=4',
                'train_dataloader.dataset.pipeline.2.scale=(128,128)',
                'val_dataloader.dataset.pipeline.1.scale=(128,128)',
                'test_dataloader.dataset.pipeline.1.scale=(128,128)',
                f'train_cfg.max_epochs={length}',
                f'train_cfg.val_interval={length}',
                'default_hooks.checkpoint.max_keep_ckpts=10',
                'default_hooks.checkpoint.save_best=None'],
        'seg': ['train_dataloader.batch_size=2',
                f'train_cfg.max_iters={length}',
                f'train_cfg.val_interval={length}',
                f'default_hooks.checkpoint.interval={length}'],
        # 2 iterations an epoch; no channels-last (a slow first iteration
        # on some CPUs)
        'cls': ['train_dataloader.batch_size=4',
                f'train_cfg.max_epochs={length}',
                f'train_cfg.val_interval={length}', 'custom_hooks=[]',
                'default_hooks.checkpoint.save_best=None'],
    }[task]
    return ['--work-dir', str(work_dir), '--cfg-options',
            *data_options(task, root), *schedule,
            'default_hooks.logger.interval=1']
