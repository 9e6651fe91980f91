r"""Add the SBD augmented training set to Pascal VOC 2012, as mmseg has it.

  python tools/dataset_converters/voc_aug.py data/VOCdevkit \
      data/VOCdevkit/VOCaug [--nproc 2]

Turns SBD's ``dataset/cls/*.mat`` class maps into palette PNGs in
``VOC2012/SegmentationClassAug`` (VOC2012's own ``SegmentationClass`` maps
are copied in too) and writes ``VOC2012/ImageSets/Segmentation/aug.txt``:
SBD train and val plus VOC2012 train, less VOC2012 val, 10,582 images on
the real data.
"""
import argparse
from pathlib import Path

import numpy as np
from mmengine.utils import track_parallel_progress, track_progress
from PIL import Image
from scipy.io import loadmat

from mmca.cli import run_tool
from mmca.utils import InputError
from mmca.utils.voc_palette import voc_palette


def save_palette_png(labels: np.ndarray, path: Path) -> None:
    image = Image.fromarray(labels.astype(np.uint8), mode='P')
    image.putpalette(voc_palette().ravel().tolist())
    image.save(path)


def convert_mat(task) -> None:
    mat_file, out_dir = task
    labels = loadmat(mat_file)['GTcls'][0]['Segmentation'][0]
    save_palette_png(labels, out_dir / (Path(mat_file).stem + '.png'))


def read_list(path: Path) -> list:
    return [line.strip() for line in path.read_text().split() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('devkit_path', help='data/VOCdevkit')
    parser.add_argument('aug_path', help='the extracted SBD benchmark_RELEASE')
    parser.add_argument('--nproc', type=int, default=1, help='processes')
    args = parser.parse_args()

    voc = Path(args.devkit_path) / 'VOC2012'
    sbd = Path(args.aug_path) / 'dataset'
    for path in (voc / 'SegmentationClass', voc / 'ImageSets/Segmentation',
                 sbd / 'cls'):
        if not path.exists():
            raise InputError(
                f'{path} does not exist. Expected VOC2012 at '
                f'{voc} (VOCtrainval_11-May-2012.tar) and SBD at '
                f'{args.aug_path}/dataset/{{cls,train.txt,val.txt}} '
                '(benchmark.tgz of the Semantic Boundaries Dataset).')
    out_dir = voc / 'SegmentationClassAug'
    out_dir.mkdir(exist_ok=True)
    tasks = [(str(m), out_dir) for m in sorted(sbd.glob('cls/*.mat'))]
    if args.nproc > 1:
        track_parallel_progress(convert_mat, tasks, args.nproc)
    else:
        track_progress(convert_mat, tasks)
    for png in (voc / 'SegmentationClass').glob('*.png'):
        (out_dir / png.name).write_bytes(png.read_bytes())

    splits = voc / 'ImageSets/Segmentation'
    val = set(read_list(splits / 'val.txt'))
    aug = set(read_list(sbd / 'train.txt')) | set(read_list(sbd / 'val.txt'))
    aug |= set(read_list(splits / 'train.txt'))
    names = sorted(aug - val)
    (splits / 'aug.txt').write_text('\n'.join(names) + '\n')
    print(f'wrote {len(tasks)} SBD maps to {out_dir} and {len(names)} names '
          f'to {splits / "aug.txt"}')


if __name__ == '__main__':
    run_tool(main)
