"""Turn a backbone's ``attention=`` argument into a module."""
import inspect
from typing import Optional

import torch.nn as nn
from mmengine.registry import MODELS

from mmca.utils.typing_utils import OptConfigType

#: The attention types mmca ships; any other MODELS module whose constructor
#: takes ``in_channels`` and keeps the shape of its input works as well.
ATTENTION_TYPES = ('CoordAttention', 'SqueezeExcitation', 'CBAM')


def build_attention(cfg: OptConfigType,
                    in_channels: int,
                    inplace: bool = False,
                    norm_cfg: OptConfigType = None,
                    block_in_channels: Optional[int] = None
                    ) -> Optional[nn.Module]:
    """Build the attention module described by ``cfg`` for ``in_channels``.

    Args:
        cfg (dict, optional): ``dict(type=..., **kwargs)``, or None for no
            attention.
        in_channels (int): Channels of the tensor the attention re-weights.
        inplace (bool): Nothing but the attention reads its input, so it
            may write its output there at inference. Passed to attention
            types whose constructor takes ``inplace``, unless ``cfg`` sets
            it, as mmcv's ``ConvModule`` does for activations.
        norm_cfg (dict, optional): The norm of the block that holds the
            attention. Passed to attention types whose constructor takes
            ``norm_cfg``, unless ``cfg`` sets it, so that a backbone's SyncBN
            or GN reaches the norm inside the attention too.
        block_in_channels (int, optional): Channels entering the block that
            holds the attention, where it differs from ``in_channels`` (an
            expanding block). Passed to attention types whose constructor
            takes ``block_in_channels``, unless ``cfg`` sets it:
            EfficientNet's SE squeezes that width, not the expanded one it
            re-weights.

    Returns:
        nn.Module or None: The module, or None when ``cfg`` is None.
    """
    if cfg is None:
        return None
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise TypeError(
            f'attention must be None or a dict with a "type" key, e.g. '
            f'dict(type="CoordAttention"), but got {cfg!r}')
    cfg = dict(cfg)
    attention_type = cfg.pop('type')
    attention_cls = (attention_type if isinstance(attention_type, type)
                     else MODELS.get(attention_type))
    if attention_cls is None:
        raise KeyError(
            f'Unknown attention type {attention_type!r}. mmca registers '
            f'{", ".join(ATTENTION_TYPES)}; use one of them, None for no '
            'attention, or register your own module in mmengine MODELS.')
    parameters = inspect.signature(attention_cls).parameters
    if inplace and 'inplace' in parameters:
        cfg.setdefault('inplace', True)
    if norm_cfg is not None and 'norm_cfg' in parameters:
        cfg.setdefault('norm_cfg', norm_cfg)
    if block_in_channels is not None and 'block_in_channels' in parameters:
        cfg.setdefault('block_in_channels', block_in_channels)
    return attention_cls(in_channels=in_channels, **cfg)
