"""Make the ``*_gtFine_labelTrainIds.png`` maps mmseg trains on, for
Cityscapes.

  python tools/dataset_converters/cityscapes.py data/cityscapes [--nproc 2]

Draws every ``gtFine/<split>/<city>/*_gtFine_polygons.json`` with
cityscapesscripts (the official label definitions: 19 train ids, 255 for
the rest) and writes ``{train,val,test}.txt`` split lists beside them.
"""
import argparse
import os.path as osp
from pathlib import Path

from cityscapesscripts.preparation.json2labelImg import json2labelImg
from mmengine.utils import track_parallel_progress, track_progress

from mmca.cli import run_tool
from mmca.utils import InputError


def convert_json_to_label(json_file: str) -> None:
    label_file = json_file.replace('_polygons.json', '_labelTrainIds.png')
    json2labelImg(json_file, label_file, 'trainIds')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '))
    parser.add_argument('cityscapes_path', help='data/cityscapes')
    parser.add_argument('--gt-dir', default='gtFine')
    parser.add_argument('--nproc', type=int, default=1, help='processes')
    args = parser.parse_args()

    gt_dir = Path(args.cityscapes_path) / args.gt_dir
    if not gt_dir.is_dir():
        raise InputError(
            f'{gt_dir} does not exist. Expected the Cityscapes layout '
            f'{args.cityscapes_path}/{{leftImg8bit,gtFine}}/{{train,val}}/'
            '<city>/ (gtFine_trainvaltestfinal.zip and '
            'leftImg8bit_trainvaltest.zip from cityscapes-dataset.com).')
    polygons = sorted(str(p)
                      for p in gt_dir.glob('*/*/*_gtFine_polygons.json'))
    if not polygons:
        raise InputError(f'no *_gtFine_polygons.json under {gt_dir}')
    if args.nproc > 1:
        track_parallel_progress(convert_json_to_label, polygons, args.nproc)
    else:
        track_progress(convert_json_to_label, polygons)

    for split in ('train', 'val', 'test'):
        stems = sorted(
            osp.relpath(p, gt_dir / split).replace('_gtFine_polygons.json', '')
            for p in polygons if Path(p).parts[-3] == split)
        if stems:
            (Path(args.cityscapes_path) / f'{split}.txt').write_text(
                '\n'.join(stems) + '\n')
    print(f'wrote {len(polygons)} label maps under {gt_dir}')


if __name__ == '__main__':
    run_tool(main)
