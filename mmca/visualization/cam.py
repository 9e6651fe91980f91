"""Class activation maps (Grad-CAM and kin) of a classifier or a segmentor.

The network's raw scores (``mode='tensor'``) are explained for one class:
for a classifier the class logit, for a segmentor the sum of the class's
logits over the pixels predicted as that class (pytorch_grad_cam's
``SemanticSegmentationTarget``).

Detectors are left out: SSDLite's scores belong to anchors at several
levels, and an explanation needs one chosen box (a target over its anchor
and level) rather than one score per image or pixel.

Needs the ``grad-cam`` package, imported only when a map is computed or
drawn.
"""
import difflib
from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn

from mmca.utils import InputError

#: Method names and the pytorch_grad_cam classes they pick.
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
    """The backbone's last stage, e.g. ``backbone.conv2``."""
    stages = getattr(model.backbone, 'stage_names', None)
    if not stages:
        raise InputError('the backbone names no stages; choose the layers '
                         'to explain with --target-layers')
    return f'backbone.{stages[-1]}'


def named_layers(model: nn.Module, names: List[str]) -> List[nn.Module]:
    """The modules of ``model.named_modules()`` called ``names``; a name
    that is not there is an :class:`InputError` naming close ones."""
    modules = dict(model.named_modules())
    for name in names:
        if name not in modules:
            close = difflib.get_close_matches(name, list(modules), n=3)
            hint = f' (close: {", ".join(close)})' if close else ''
            raise InputError(f'the model has no layer {name!r}{hint}; '
                             'names are those of model.named_modules()')
    return [modules[name] for name in names]


def cam_target(scores: torch.Tensor, category: Optional[int] = None):
    """The pytorch_grad_cam target for one image's raw scores, and its
    class.

    Args:
        scores (Tensor): A classifier's logits (K, ) or a segmentor's
            (K, h, w).
        category (int, optional): The class to explain. By default the
            predicted one; for a segmentor, the class predicted at most
            pixels.

    Returns:
        tuple: The target and the class it explains.
    """
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
                         layers: List[nn.Module],
                         category: Optional[int] = None,
                         method: str = 'gradcam') -> Tuple[np.ndarray, int]:
    """The CAM of one image for a class, and that class.

    Args:
        model (nn.Module): A classifier or segmentor in eval mode.
        inputs (Tensor): The preprocessed image, (1, 3, H, W).
        layers (list[nn.Module]): The layers to explain (:func:`named_layers`).
        category (int, optional): As :func:`cam_target`.
        method (str): A key of :data:`METHODS`.

    Returns:
        tuple: The map (H, W) in [0, 1], and the class it explains.
    """
    import pytorch_grad_cam
    network = RawScores(model)
    with torch.no_grad():
        scores = network(inputs)[0]
    target, category = cam_target(scores, category)
    cam_class = getattr(pytorch_grad_cam, METHODS[method])
    with cam_class(model=network, target_layers=layers) as cam:
        return cam(input_tensor=inputs, targets=[target])[0], category


def cam_overlay(image: np.ndarray, cam: np.ndarray) -> np.ndarray:
    """The map over the image, as pytorch_grad_cam draws it: half the image,
    half the map in the jet colours, rescaled to the brightest pixel.

    Not mmengine's ``Visualizer.draw_featmap``: it stretches the map to its
    own min and max and does not rescale the blend, so the same map would
    come out in other colours than pytorch_grad_cam's (and mmpretrain's
    vis_cam's) pictures.

    Args:
        image (ndarray): (H, W, 3) uint8 RGB, as
            :func:`mmca.apis.load_test_image` gives it.
        cam (ndarray): (H, W) in [0, 1].

    Returns:
        ndarray: (H, W, 3) uint8 RGB.
    """
    from pytorch_grad_cam.utils.image import show_cam_on_image
    return show_cam_on_image(image.astype(np.float32) / 255, cam,
                             use_rgb=True)
