"""Grad-CAM of a classifier's or a segmentor's prediction on one image.

  python tools/analysis_tools/vis_cam.py CONFIG CKPT IMG --out cam.png
      [--target-layers backbone.conv2] [--target-category K]
      [--method gradcam] [--device cpu] [--cfg-options k=v ...]

Needs the ``grad-cam`` package (``pip install grad-cam``). The image goes
through the config's test pipeline; the network's raw scores
(``mode='tensor'``) are explained for one class: the predicted one, or
--target-category. For a classifier that is the class logit; for a
segmentor, the sum of the class's logits over the pixels predicted as that
class (pytorch_grad_cam's ``SemanticSegmentationTarget``), by default for
the class that covers most pixels. The default target layer is the
backbone's last stage. mmpretrain's own ``tools/visualization/vis_cam.py``
passes ``use_cuda``, which grad-cam 1.5 no longer takes, and serves
classifiers only.

Detectors are left out: SSDLite's scores belong to anchors at several
levels, and an explanation needs one chosen box (a target over its anchor
and level) rather than one score per image or pixel.

The picture is the image as the network saw it beside the map, drawn over
the image's grayscale copy with a colorbar (0 to 1: pytorch_grad_cam scales
each map to its maximum).
"""
import argparse
import os.path as osp
import sys

from mmengine.config import DictAction

from mmca.apis import load_inference_model, load_test_image
from mmca.cli import load_config, run_tool
from mmca.datasets import classes_of_test_set
from mmca.preflight import check_task
from mmca.utils import InputError
from mmca.visualization import (METHODS, class_activation_map,
                                default_target_layer, draw_cam, named_layers)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('config', help='classification or segmentation config')
    parser.add_argument('checkpoint', help='its weights')
    parser.add_argument('img', help='an image file')
    parser.add_argument('--out', required=True, help='the image to write')
    parser.add_argument('--target-layers', nargs='+', default=[],
                        help='layers to explain, as named in the model '
                        '(default: the backbone\'s last stage)')
    parser.add_argument('--target-category', type=int,
                        help='class to explain (default: the predicted one)')
    parser.add_argument('--method', default='gradcam', choices=list(METHODS))
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    check_task(cfg, 'tools/analysis_tools/vis_cam.py',
               scopes=('mmpretrain', 'mmseg'))
    try:
        import pytorch_grad_cam  # noqa: F401
    except ImportError:
        raise InputError('vis_cam.py needs the grad-cam package: '
                         'pip install grad-cam') from None
    model = load_inference_model(cfg, args.checkpoint, args.device)
    batch, image = load_test_image(cfg, model, args.img)
    names = args.target_layers or [default_target_layer(model)]
    cam, category = class_activation_map(
        model, batch['inputs'], named_layers(model, names),
        args.target_category, args.method)
    if not cam.any():
        print(f'warning: the map is zero everywhere: nothing at '
              f'{", ".join(names)} speaks for class {category}',
              file=sys.stderr)
    classes = classes_of_test_set(cfg)
    name = f' ({classes[category]})' if classes else ''
    what = f'{args.method} of class {category}{name} at {", ".join(names)}'
    draw_cam(image, cam, f'{what}\n{osp.basename(args.img)}', args.out)
    print(f'wrote {args.out}: {what}')


if __name__ == '__main__':
    run_tool(main)
