"""A config's model and one image as that model sees it: what inference
and the analysis tools start from."""
import os.path as osp
from typing import Optional, Tuple

import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import load_checkpoint

from mmca.preflight import check_checkpoint_matches
from mmca.utils import InputError, config_built


def build_inference_model(cfg: Config) -> torch.nn.Module:
    """The config's model in its scope, in eval mode, without loading
    pretrained weights (for analysis, benchmarks and export). A model the
    config cannot build is an :class:`InputError`."""
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    model = dict(cfg.model)
    # mmpretrain configs keep it beside the model; the Runner merges it so
    if cfg.get('data_preprocessor') is not None:
        model.setdefault('data_preprocessor', cfg.data_preprocessor)
    with config_built(cfg.filename):
        return MODELS.build(model).eval()


def config_input_size(cfg: Config) -> Tuple[int, int]:
    """The (H, W) the config's test pipeline feeds the model.

    That is the last fixed size it sets: a ``CenterCrop`` or
    ``EfficientNetCenterCrop`` (classification) or a ``Resize`` to a (W, H)
    scale (detection, segmentation).
    """
    size = None
    for step in cfg.get('test_pipeline', []):
        if step.get('type') in ('CenterCrop', 'EfficientNetCenterCrop'):
            crop = step['crop_size']
            w, h = (crop, crop) if isinstance(crop, int) else crop
            size = (h, w)
        elif step.get('type') == 'Resize' and isinstance(
                step.get('scale'), (tuple, list)):
            w, h = step['scale']
            size = (h, w)
    if size is None:
        raise InputError('the config has no fixed-size Resize or CenterCrop '
                         'in test_pipeline; pass --shape')
    return size


def load_inference_model(cfg: Config, checkpoint: Optional[str],
                         device: str = 'cpu') -> torch.nn.Module:
    """The config's model in eval mode on ``device``, with the weights of
    ``checkpoint`` (checked to be exactly the model's) if given."""
    model = build_inference_model(cfg)
    if checkpoint is not None:
        if not osp.isfile(checkpoint):
            raise InputError(f'checkpoint {checkpoint} does not exist')
        check_checkpoint_matches(model, checkpoint)
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True,
                        logger='silent')
    return model.to(device)


def load_test_image(cfg: Config, model: torch.nn.Module,
                    path: str) -> Tuple[dict, np.ndarray]:
    """Read ``path`` through the config's ``test_pipeline`` (its annotation
    loading left out) and the model's data preprocessor.

    Returns:
        tuple: The batch of one image, ``dict(inputs=(1, 3, H, W),
        data_samples=[...])``, for ``model(**batch, mode=...)``; and that
        image as the network sees it, resized and padded like ``inputs``
        but not normalised: (H, W, 3) uint8 RGB.
    """
    if not osp.isfile(path):
        raise InputError(f'image {path} does not exist')
    if mmcv.imread(path) is None:
        raise InputError(f'cannot read {path} as an image')
    steps = cfg.get('test_pipeline')
    if not steps:
        raise InputError(f'{cfg.filename} has no test_pipeline to read the '
                         'image with')
    pipeline = Compose([step for step in steps
                        if 'LoadAnnotations' not in step['type']])
    packed = pipeline(dict(img_path=path))
    batch = model.data_preprocessor(pseudo_collate([packed]), False)
    height, width = batch['inputs'].shape[-2:]
    image = packed['inputs'].flip(0).permute(1, 2, 0).numpy()   # BGR -> RGB
    padded = np.zeros((height, width, 3), np.uint8)
    # the preprocessors pad at the bottom and the right
    padded[:image.shape[0], :image.shape[1]] = image[:height, :width]
    return batch, padded
