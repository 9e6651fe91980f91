"""Class activation maps (Grad-CAM and kin) of a classifier or a segmentor.

The network's raw scores (``mode='tensor'``) are explained for one class:
for a classifier the class logit, for a segmentor the sum of the class's
logits over the pixels predicted as that class (pytorch_grad_cam's
``SemanticSegmentationTarget``).

Detectors are left out: SSDLite's scores belong to anchors at several
levels, and an explanation needs one chosen box (a target over its anchor
and level) rather than one score per image or pixel.

The picture (:func:`cam_figure`) is the image as the network saw it beside
the map, which lies over the image's grayscale copy with a colorbar
(:mod:`.map_over_image`). Needs the ``grad-cam`` package, imported only
when a map is computed.
"""
import difflib
import os
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mmca.utils import InputError
from .map_over_image import add_colorbar, draw_map_over_image, grayscale

#: The picture: panels PANEL_INCHES high at DPI, a band of TITLE_INCHES
#: for the title and a colorbar column of COLORBAR_INCHES.
PANEL_INCHES, TITLE_INCHES, COLORBAR_INCHES, DPI = 3.0, 0.5, 1.0, 100
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


def cam_figure(image: np.ndarray, cam: np.ndarray, title: str) -> Figure:
    """The image beside its map, drawn over the image's grayscale copy.

    Args:
        image (ndarray): (H, W, 3) uint8 RGB, as
            :func:`mmca.apis.load_test_image` gives it.
        cam (ndarray): (H, W) in [0, 1], as :func:`class_activation_map`
            gives it: pytorch_grad_cam scales each map to its own maximum,
            so 1 is where the evidence for the class is strongest in this
            image, not an amount comparable across images.
        title (str): The figure's title.

    Returns:
        Figure: Two panels of :data:`PANEL_INCHES` height, the map's with
        a colorbar from 0 to 1 (:mod:`.map_over_image`).
    """
    height, width = cam.shape
    panel_width = PANEL_INCHES * width / height
    fig = Figure(dpi=DPI, figsize=(2 * panel_width + COLORBAR_INCHES,
                                   PANEL_INCHES + TITLE_INCHES))
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(1, 3, width_ratios=[panel_width, panel_width,
                                                COLORBAR_INCHES / 4])
    ax = fig.add_subplot(grid[0, 0])
    ax.imshow(image, interpolation='nearest')
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title('the image as the network saw it', fontsize=7)
    ax = fig.add_subplot(grid[0, 1])
    artist = draw_map_over_image(ax, grayscale(image), cam, 0.0, 1.0)
    ax.set_title(f'the map over its grayscale copy\n[{cam.min():.3g}, '
                 f'{cam.max():.3g}]', fontsize=7)
    add_colorbar(fig, fig.add_subplot(grid[0, 2]), artist,
                 'evidence for the class, 1 = its maximum in this image')
    top = 1 - TITLE_INCHES / (PANEL_INCHES + TITLE_INCHES)
    fig.tight_layout(rect=(0, 0, 1, top))
    fig.suptitle(title, fontsize=7, y=(1 + top) / 2, va='center')
    return fig


def draw_cam(image: np.ndarray, cam: np.ndarray, title: str,
             out: str) -> None:
    """:func:`cam_figure` as a PNG; ``out``'s folder is made if missing."""
    fig = cam_figure(image, cam, title)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=DPI)
