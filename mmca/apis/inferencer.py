"""A model's prediction on images, through the inferencer of its library
(the ones ``demo/image_demo.py`` draws with)."""
import warnings
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.structures import BaseDataElement

from mmca.utils import InputError
from .model_zoo import get_model

#: What a config's ``default_scope`` runs on, as ``demo/image_demo.py`` says.
INFERENCERS = {'mmdet': 'mmdet.apis.DetInferencer',
               'mmseg': 'mmseg.apis.MMSegInferencer',
               'mmpretrain': 'mmpretrain.apis.ImageClassificationInferencer'}

Image = Union[str, np.ndarray]


def build_inferencer(cfg: Config, weights: Optional[str] = None,
                     device: Union[str, torch.device] = 'cpu'):
    """The inferencer of the config's library, silent (no progress bar).

    Args:
        cfg (Config): A config of mmdet, mmseg or mmpretrain (its
            ``default_scope``).
        weights (str, optional): A checkpoint for the inferencer to load as
            it loads one (the keys that fit). None leaves the weights random.
        device (str | torch.device): Where the inferencer's model goes.

    Returns:
        mmdet's ``DetInferencer``, mmseg's ``MMSegInferencer`` or
        mmpretrain's ``ImageClassificationInferencer``.
    """
    scope = cfg.get('default_scope')
    device = str(device)
    if scope == 'mmdet':
        from mmdet.apis import DetInferencer
        return DetInferencer(cfg, weights, device=device, show_progress=False)
    if scope == 'mmseg':
        from mmseg.apis import MMSegInferencer
        inferencer = MMSegInferencer(cfg, weights, device=device)
        inferencer.show_progress = False
        return inferencer
    if scope == 'mmpretrain':
        from mmpretrain.apis import ImageClassificationInferencer
        return ImageClassificationInferencer(cfg, pretrained=weights or False,
                                             device=device)
    raise InputError(f'{cfg.filename} has default_scope={scope!r}; the '
                     f'inferencers run {", ".join(INFERENCERS)} configs')


def inference_model(
    model: Union[torch.nn.Module, str, Config],
    img: Union[Image, Sequence[Image]],
) -> Union[BaseDataElement, List[BaseDataElement]]:
    """The prediction of ``model`` on ``img``, as its library's inferencer
    makes it.

    Args:
        model (nn.Module | str | Config): A model of
            :func:`mmca.apis.get_model` (which carries its config as
            ``model.cfg``), or what ``get_model`` takes: a model name, a
            config file or a Config (built with random weights).
        img (str | np.ndarray | list): An image file or a BGR (H, W, 3)
            array, or a list of them.

    Returns:
        The task's data sample of each image (one for one image, a list for
        a list): mmdet's ``DetDataSample`` (``pred_instances``: boxes,
        scores, labels in the input image's pixels), mmseg's
        ``SegDataSample`` (``pred_sem_seg``: a (1, H, W) label map at the
        input's size, and ``seg_logits``) or mmpretrain's ``DataSample``
        (``pred_score``, ``pred_label``).

    Example:
        >>> import mmca
        >>> model = mmca.get_model('ssdlite_mbv2_ca_coco', pretrained=CKPT)
        >>> sample = mmca.inference_model(model, 'demo.jpg')
        >>> sample.pred_instances.bboxes.shape
        torch.Size([100, 4])
    """
    if not isinstance(model, torch.nn.Module):
        model = get_model(model)
    cfg = getattr(model, 'cfg', None)
    if not isinstance(cfg, Config):
        raise InputError('inference_model needs a model of mmca.get_model '
                         '(it keeps its config as model.cfg), a model name '
                         'or a config')
    device = next(model.parameters()).device
    with warnings.catch_warnings():
        # the inferencer's own model is replaced by ``model`` below
        warnings.filterwarnings('ignore', message='weights is None')
        warnings.filterwarnings('ignore', message='Checkpoint is not loaded')
        inferencer = build_inferencer(cfg, None, device)
    inferencer.model = model.eval()
    images = list(img) if isinstance(img, (list, tuple)) else [img]
    predictions = inferencer(images, return_datasamples=True)
    if isinstance(predictions, dict):        # mmdet's
        predictions = predictions['predictions']
    if not isinstance(predictions, list):    # mmseg's of one image
        predictions = [predictions]
    return predictions if isinstance(img, (list, tuple)) else predictions[0]
