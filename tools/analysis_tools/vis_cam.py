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
"""
import argparse
import difflib
import sys
from typing import List

import mmcv
import numpy as np
import torch
import torch.nn as nn
from mmengine.config import DictAction

from mmca.apis import (InputError, check_task, load_config,
                       load_inference_model, load_test_image, run_tool)

#: --method names and the pytorch_grad_cam classes they pick.
METHODS = {'gradcam': 'GradCAM', 'gradcam++': 'GradCAMPlusPlus',
           'xgradcam': 'XGradCAM', 'layercam': 'LayerCAM',
           'eigencam': 'EigenCAM'}


class RawScores(nn.Module):
    """The model as a function of its input batch: class logits (N, K) of
    a classifier, per-pixel logits (N, K, h, w) of a segmentor."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.model(inputs, mode='tensor')


def default_target_layer(model: nn.Module) -> str:
    """The backbone's last stage."""
    stages = getattr(model.backbone, 'stage_names', None)
    if not stages:
        raise InputError('the backbone names no stages; choose the layers '
                         'to explain with --target-layers')
    return f'backbone.{stages[-1]}'


def named_layers(model: nn.Module, names: List[str]) -> List[nn.Module]:
    modules = dict(model.named_modules())
    for name in names:
        if name not in modules:
            close = difflib.get_close_matches(name, list(modules), n=3)
            hint = f' (close: {", ".join(close)})' if close else ''
            raise InputError(f'the model has no layer {name!r}{hint}; '
                             'names are those of model.named_modules()')
    return [modules[name] for name in names]


def cam_target(scores: torch.Tensor, category: int = None):
    """The pytorch_grad_cam target for one image's raw scores, and its
    class (by default the predicted one)."""
    from pytorch_grad_cam.utils.model_targets import (
        ClassifierOutputTarget, SemanticSegmentationTarget)
    num_classes = scores.shape[0]
    if category is not None and not 0 <= category < num_classes:
        raise InputError(f'--target-category {category} is not a class of '
                         f'the model, which has {num_classes}')
    if scores.dim() == 1:                                    # (K, )
        category = int(scores.argmax()) if category is None else category
        return ClassifierOutputTarget(category), category
    predicted = scores.argmax(0)                             # (h, w)
    if category is None:
        category = int(predicted.flatten().bincount().argmax())
    mask = (predicted == category).float()
    if not mask.any():          # the class is predicted nowhere: all pixels
        mask = torch.ones_like(mask)
    return SemanticSegmentationTarget(category, mask.cpu().numpy()), category


def class_activation_map(model: nn.Module, inputs: torch.Tensor,
                         layers: List[nn.Module], category: int = None,
                         method: str = 'gradcam'):
    """The CAM (H, W) in [0, 1] of ``inputs`` (1, 3, H, W) for a class, and
    that class."""
    import pytorch_grad_cam
    network = RawScores(model)
    with torch.no_grad():
        scores = network(inputs)[0]
    target, category = cam_target(scores, category)
    cam_class = getattr(pytorch_grad_cam, METHODS[method])
    with cam_class(model=network, target_layers=layers) as cam:
        return cam(input_tensor=inputs, targets=[target])[0], category


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
        from pytorch_grad_cam.utils.image import show_cam_on_image
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
    picture = show_cam_on_image(image.astype(np.float32) / 255, cam,
                                use_rgb=True)
    mmcv.imwrite(picture[..., ::-1], args.out)
    classes = cfg.get('classes')
    name = f' ({classes[category]})' if classes else ''
    print(f'wrote {args.out}: {args.method} of class {category}{name} at '
          f'{", ".join(names)}')


if __name__ == '__main__':
    run_tool(main)
