"""Draw a detector's, segmentor's or classifier's predictions on pictures.

  python demo/image_demo.py IMG CONFIG [CHECKPOINT] --out-dir DIR
      [--device DEVICE] [--pred-score-thr 0.3] [--opacity 0.5]
      [--cfg-options k=v ...]

IMG is an image or a folder, whose images (not those of its subfolders) are
all drawn. The config's ``default_scope`` picks the library's inferencer:
mmdet's ``DetInferencer`` draws boxes with class and score, mmseg's
``MMSegInferencer`` a mask per class with its name, and mmpretrain's
``ImageClassificationInferencer`` the predicted class and score. Each picture
is written to ``DIR/<input file name>`` at the input's size. The inferencers
would put theirs in ``DIR/vis/`` (mmpretrain's always as PNG, mmseg's beside
label maps in ``DIR/pred/``), so this script takes the drawn pictures from
them and writes them itself.

Without CHECKPOINT the weights are random and the class names the
inferencer's defaults (COCO, Cityscapes, ImageNet): the pictures then show
that the pipeline runs, not a prediction, and a warning says so.
"""
import argparse
import os
import os.path as osp
import sys
import warnings
from typing import Callable, Iterator, List, Optional

import mmcv
import numpy as np
import torch
from mmengine.config import Config, DictAction

from mmca.apis import build_inference_model
from mmca.cli import load_config, run_tool
from mmca.datasets.checked_loading import image_file_problem
from mmca.preflight import check_checkpoint_matches, check_task
from mmca.utils import InputError

#: What the inferencers read (mmdet's ``IMG_EXTENSIONS``), less the formats
#: a colour picture cannot be written back in (.pgm, .ppm).
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')

#: Draws the predictions on the images at the given paths; yields the
#: pictures (RGB) in their order.
Drawer = Callable[[List[str]], Iterator[np.ndarray]]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Draw the predictions of a model on images')
    parser.add_argument('img', help='an image file, or a folder of images')
    parser.add_argument('config', help='config file of the model')
    parser.add_argument(
        'checkpoint', nargs='?',
        help='its checkpoint; without it the weights are random')
    parser.add_argument('--out-dir', required=True,
                        help='where to write the pictures, under the names '
                        'of the inputs')
    parser.add_argument('--device', help='e.g. cpu or cuda:0 (default: the '
                        'first GPU if there is one, else the CPU)')
    parser.add_argument('--pred-score-thr', type=float, default=0.3,
                        help='detection: draw the boxes scored above this')
    parser.add_argument('--opacity', type=float, default=0.5,
                        help='segmentation: opacity of the masks, in [0, 1]')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    return parser.parse_args()


def list_images(img: str) -> List[str]:
    """``img`` itself, or the images in the folder ``img`` by name, each
    checked to decode (as the dataloaders check theirs)."""
    if osp.isfile(img):
        images = [img]
    elif osp.isdir(img):
        images = sorted(
            osp.join(img, name) for name in os.listdir(img)
            if name.lower().endswith(IMAGE_EXTENSIONS)
            and osp.isfile(osp.join(img, name)))
        if not images:
            raise InputError(f'folder {img} holds no images (files ending in '
                             f'{", ".join(IMAGE_EXTENSIONS)})')
    else:
        raise InputError(f'image or folder {img} does not exist')
    for path in images:
        problem = image_file_problem(path)
        if problem:
            fix = 'replace it' if path == img else \
                f'replace it, or move it out of {img}'
            raise InputError(f'image {path} is broken: {problem}; {fix}.')
    return images


def detection_drawer(cfg: Config, checkpoint: Optional[str], device: str,
                     args: argparse.Namespace) -> Drawer:
    from mmdet.apis import DetInferencer
    inferencer = DetInferencer(cfg, checkpoint, device=device,
                               show_progress=False)

    def draw(paths: List[str]) -> Iterator[np.ndarray]:
        # one image per call: a call keeps all its pictures in memory
        for path in paths:
            yield inferencer(path, return_vis=True, no_save_vis=True,
                             pred_score_thr=args.pred_score_thr
                             )['visualization'][0]
    return draw


def segmentation_drawer(cfg: Config, checkpoint: Optional[str], device: str,
                        args: argparse.Namespace) -> Drawer:
    from mmseg.apis import MMSegInferencer
    inferencer = MMSegInferencer(cfg, checkpoint, device=device)
    inferencer.show_progress = False

    def draw(paths: List[str]) -> Iterator[np.ndarray]:
        for path in paths:
            # of a single input, 'visualization' is the picture, not a list
            yield inferencer(path, return_vis=True,
                             opacity=args.opacity)['visualization']
    return draw


def classification_drawer(cfg: Config, checkpoint: Optional[str], device: str,
                          args: argparse.Namespace) -> Drawer:
    from mmpretrain.apis import ImageClassificationInferencer
    from mmpretrain.visualization import UniversalVisualizer
    inferencer = ImageClassificationInferencer(
        cfg, pretrained=checkpoint or False, device=device)
    # The inferencer draws only into files it names itself (always .png);
    # this is its visualizer, called as its ``visualize`` calls it.
    visualizer = UniversalVisualizer()

    def draw(paths: List[str]) -> Iterator[np.ndarray]:
        predictions = inferencer(paths, return_datasamples=True)
        for path, prediction in zip(paths, predictions):
            image = mmcv.imread(path, channel_order='rgb')
            yield visualizer.visualize_cls(
                image, prediction, classes=inferencer.classes, draw_gt=False)
    return draw


DRAWERS = {'mmdet': detection_drawer, 'mmseg': segmentation_drawer,
           'mmpretrain': classification_drawer}


def main() -> None:
    args = parse_args()
    if not 0 <= args.opacity <= 1:
        raise InputError(f'--opacity must be in [0, 1], got {args.opacity}')
    images = list_images(args.img)
    cfg = load_config(args.config, args.cfg_options)
    scope = check_task(cfg, 'demo/image_demo.py')
    if args.checkpoint is None:
        print('warning: no CHECKPOINT given: the weights are random and the '
              'class names the inferencer\'s defaults, so the pictures show '
              'no real prediction', file=sys.stderr)
    elif not osp.isfile(args.checkpoint):
        raise InputError(f'checkpoint {args.checkpoint} does not exist')
    else:
        # the inferencers load whatever keys fit, and only warn of the rest
        check_checkpoint_matches(build_inference_model(cfg), args.checkpoint)
    out_paths = [osp.join(args.out_dir, osp.basename(p)) for p in images]
    if any(osp.exists(out) and osp.samefile(out, image)
           for out, image in zip(out_paths, images)):
        raise InputError(f'--out-dir {args.out_dir} would overwrite the '
                         'input images; choose another folder')
    if cfg.get('visualizer'):
        # this script writes the pictures, not the visualizer's backends
        cfg.visualizer.pop('vis_backends', None)
    device = args.device or ('cuda:0' if torch.cuda.is_available() else 'cpu')

    with warnings.catch_warnings():
        # what the inferencers warn of without weights, the line above says
        warnings.filterwarnings('ignore', message='Checkpoint is not loaded')
        warnings.filterwarnings('ignore', message='weights is None')
        draw = DRAWERS[scope](cfg, args.checkpoint, device, args)
    for out, picture in zip(out_paths, draw(images)):
        mmcv.imwrite(picture[..., ::-1], out)
        print(out)


if __name__ == '__main__':
    run_tool(main)
