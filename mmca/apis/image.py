"""One image as a config's model sees it, for the analysis tools."""
import os.path as osp
from typing import Optional, Tuple

import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.runner import load_checkpoint

from .config import build_inference_model
from .errors import InputError
from .preflight import check_checkpoint_matches


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
