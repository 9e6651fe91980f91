"""Convert a weight file, as ``tools/model_converters/`` does."""
from typing import Callable, Dict

import torch

from mmca.utils import InputError, load_weights
from .blocks import SE_NETWORKS, layout_mismatch
from .from_mmpretrain import mmpretrain_to_mmca
from .from_timm import timm_to_mmca

#: Where weights come from, and the function that renames them.
SOURCES: Dict[str, Callable] = {
    'timm': timm_to_mmca,
    'mmpretrain': mmpretrain_to_mmca,
}


def _read(path: str) -> Dict[str, torch.Tensor]:
    """The weights of a ``.safetensors`` file (timm's hub weights) or a
    checkpoint, loaded safely (see :func:`mmca.utils.load_weights`)."""
    if path.endswith('.safetensors'):
        from safetensors import SafetensorError
        from safetensors.torch import load_file
        try:
            return load_file(path)
        except FileNotFoundError:
            raise InputError(f'checkpoint {path} does not exist') from None
        except SafetensorError as err:
            raise InputError(f'{path} is not a safetensors file ({err})'
                             ) from None
    try:
        return load_weights(path)
    except FileNotFoundError as err:
        raise InputError(str(err)) from None


def convert_checkpoint(src: str, dst: str, source: str,
                       backbone: str) -> int:
    """Write the weights of ``src`` (timm's or mmpretrain's network of
    ``backbone``) renamed for mmca to ``dst``; return how many tensors.

    ``dst`` holds ``state_dict`` and ``meta``, as a runner checkpoint does:
    the timm classifier's weights (``backbone.*``, ``head.*``), or the
    backbone's alone (``backbone.*``) when ``src`` has no classifier.

    Raises:
        InputError: ``src`` is missing, or not ``backbone``'s network.
    """
    if source not in SOURCES:
        raise InputError(f'source must be one of {", ".join(SOURCES)}, not '
                         f'{source!r}')
    if backbone not in SE_NETWORKS:
        raise InputError(f'backbone must be one of '
                         f'{", ".join(SE_NETWORKS)}, not {backbone!r}')
    weights = _read(src)
    try:
        converted = SOURCES[source](weights, backbone)
    except KeyError as err:
        raise InputError(f'{src} does not hold {source}\'s weights of the '
                         f'network of {backbone}: {err.args[0]}') from None
    if not any(key.startswith('backbone.') for key in converted):
        converted = {f'backbone.{k}': v for k, v in converted.items()}
    mismatch = layout_mismatch(converted, backbone)
    if mismatch:
        raise InputError(f'{src} does not hold {source}\'s weights of the '
                         f'network of {backbone}: {mismatch.describe()}')
    torch.save(dict(state_dict=converted,
                    meta=dict(source=src, converted_from=source,
                              backbone=backbone)), dst)
    return len(converted)
