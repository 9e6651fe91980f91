#!/usr/bin/env python
"""Generate small, deterministic shape datasets in real on-disk formats.

The shapes sets (COCO and VOC2007 detection, Cityscapes and VOC2012
segmentation, ImageNet classification), their layouts and annotation
conventions are described in :mod:`mmca.datasets.shapes`, which makes
them; the positions set (ImageNet layout: do two crosses line up along a
row, a column, or neither) in :mod:`mmca.datasets.positions`. The demo
configs (``configs/demo/``) train on them.

Examples::

    python tools/make_demo_data.py --out data --tasks det seg --seed 0
    python tools/make_demo_data.py --tasks cls  # 4000 train + 500 val images
    python tools/make_demo_data.py --tasks positions  # 1200 + 600 images
"""
import argparse
from pathlib import Path

from mmca.cli import run_tool
from mmca.datasets.positions import (POSITIONS_COUNTS, POSITIONS_JOB,
                                     generate_positions)
from mmca.datasets.shapes import DEFAULT_COUNTS, generate
from mmca.utils import InputError

#: ``(train, val)`` images of each task's sets unless asked otherwise.
COUNTS = {**DEFAULT_COUNTS, POSITIONS_JOB.task: POSITIONS_COUNTS}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', type=Path, default=Path('data'),
                        help='output root (default: data)')
    parser.add_argument('--tasks', nargs='+', choices=tuple(COUNTS),
                        default=list(COUNTS),
                        help='det: COCO + VOC2007; seg: Cityscapes + VOC2012; '
                        'cls: ImageNet; positions: ImageNet layout '
                        '(default: all)')
    parser.add_argument('--seed', type=int, default=0,
                        help='non-negative base seed (default: 0)')
    parser.add_argument('--num-train', type=int,
                        help='train images per dataset (default: ' +
                        ', '.join(f'{task} {train}' for task, (train, _) in
                                  COUNTS.items()) + ')')
    parser.add_argument('--num-val', type=int,
                        help='val/test images per dataset (default: ' +
                        ', '.join(f'{task} {val}' for task, (_, val) in
                                  COUNTS.items()) + ')')
    parser.add_argument('--force', action='store_true',
                        help='regenerate datasets that are already complete')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.seed < 0:
        raise InputError(f'--seed {args.seed} is negative; give a seed of 0 '
                         'or more')
    generate(args.out, [t for t in args.tasks if t in DEFAULT_COUNTS],
             args.seed, args.num_train, args.num_val, args.force)
    if POSITIONS_JOB.task in args.tasks:
        generate_positions(args.out, args.seed, args.num_train,
                           args.num_val, args.force)


if __name__ == '__main__':
    run_tool(main)
