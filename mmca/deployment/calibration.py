"""Calibration images for INT8 quantization, as the network sees them."""
import os
import os.path as osp
from typing import List, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, init_default_scope

from mmca.apis import load_test_image
from mmca.preflight import check_datasets
from mmca.utils import InputError

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')


def calibration_inputs(cfg: Config, model: torch.nn.Module, num_images: int,
                       image_dir: Optional[str] = None) -> List[np.ndarray]:
    """``num_images`` network inputs, each (1, 3, H, W) float32: images read
    through the config's test pipeline and the model's data preprocessor
    (resized, padded and normalised as at test time).

    The images are ``num_images`` spread evenly over the config's val set,
    or over the image files under ``image_dir`` and its subfolders (sorted
    by path; an ImageNet-layout train folder holds one per class),
    annotations not read.

    Raises:
        InputError: ``image_dir`` holds no images, the val set is missing,
            or the images come out of the pipeline in several sizes.
    """
    if num_images < 1:
        raise InputError(f'--calib-images must be at least 1, got '
                         f'{num_images}')
    if image_dir is not None:
        if not osp.isdir(image_dir):
            raise InputError(f'--calib-data {image_dir} is not a directory')
        paths = sorted(
            osp.join(root, name) for root, _, names in os.walk(image_dir)
            for name in names if name.lower().endswith(IMAGE_SUFFIXES))
        if not paths:
            raise InputError(f'--calib-data {image_dir} holds no '
                             f'{"/".join(IMAGE_SUFFIXES)} images')
        inputs = [load_test_image(cfg, model, paths[i])[0]['inputs']
                  for i in spread(len(paths), num_images)]
    else:
        check_datasets(cfg, ['val'])
        init_default_scope(cfg.get('default_scope', 'mmengine'))
        dataset = DATASETS.build(cfg.val_dataloader.dataset)
        inputs = [
            model.data_preprocessor(pseudo_collate([dataset[i]]),
                                    False)['inputs']
            for i in spread(len(dataset), num_images)
        ]
    sizes = {tuple(x.shape[2:]) for x in inputs}
    if len(sizes) > 1:
        raise InputError(f'the test pipeline gives the calibration images '
                         f'several sizes {sorted(sizes)}; calibrate with a '
                         f'pipeline that resizes or pads to one size')
    return [x.numpy() for x in inputs]


def spread(total: int, count: int) -> List[int]:
    """``min(count, total)`` indices spread evenly over ``range(total)``."""
    return sorted(set(np.linspace(0, total - 1, min(count, total)).round()
                      .astype(int).tolist()))
