"""Squeeze-and-excitation (Hu, Shen, Sun, CVPR 2018), as compared in the CA
paper, and as MobileNetV3 and EfficientNet build it."""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer
from mmengine.model import BaseModule
from mmengine.registry import MODELS

from mmca.utils.typing_utils import ConfigType, OptMultiConfig
from .recording import GateRecorder

# MobileNetV3's gate, relu6(x + 3) / 6, under torch's name: mmcv's HSigmoid
# computes the same but warns at every construction about the default it
# changed in mmcv 1.4.4.
if 'Hardsigmoid' not in MODELS.module_dict:
    MODELS.register_module('Hardsigmoid', module=nn.Hardsigmoid)

#: The ways :class:`SqueezeExcitation` picks the width it reduces.
SQUEEZE_FROM = ('input', 'block_input')


def _round_to_multiple(value: float, divisor: int) -> int:
    """The nearest multiple of ``divisor``, at least ``divisor`` and at most
    10% below ``value`` (MobileNetV3's ``make_divisible``, which the
    backbones also use)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


@MODELS.register_module()
class SqueezeExcitation(BaseModule):
    r"""Squeeze-and-excitation block with the interface of
    :class:`CoordAttention`.

    .. math::
        z = \frac{1}{HW} \sum_{i, j} x(i, j), \quad
        g = \sigma(W_2 \, \delta(W_1 z)), \quad y = x \cdot g,

    with :math:`z, g` of shape (N, C, 1, 1) and :math:`W_1` reducing to
    :math:`M = \max(m, \lfloor B / r \rfloor)` channels, :math:`B` the
    input width :math:`C`. The defaults follow the comparison code of the CA
    authors: biased 1x1 convs, ReLU6 for :math:`\delta`, the sigmoid for
    :math:`\sigma`, no norm, :math:`r = 24` and :math:`m = 8`, which puts
    MobileNetV2 + SE at the paper's 3.89M params.

    The networks that carry SE in their own blocks build it otherwise, and
    the arguments express both exactly:

    - MobileNetV3: :math:`M` = :math:`C / 4` rounded to a multiple of 8
      (``reduction=4, divisor=8``), ReLU, hard sigmoid
      (``gate_cfg=dict(type='Hardsigmoid')``), as
      :data:`~mmca.models.backbones.MOBILENETV3_SE`;
    - EfficientNet: :math:`M = \lfloor B / 4 \rfloor` with :math:`B` the
      width entering the block, not the expanded width :math:`C` the SE
      re-weights (``squeeze_from='block_input', reduction=4,
      min_channels=1``), SiLU, sigmoid, as
      :data:`~mmca.models.backbones.EFFICIENTNET_SE`.

    Args:
        in_channels (int): Channels :math:`C` of the input (and output).
        reduction (float): Reduction ratio :math:`r`. Defaults to 24.
        min_channels (int): Floor :math:`m` on the mid width :math:`M`.
            Defaults to 8.
        divisor (int, optional): Round :math:`B / r` to the nearest multiple
            of this (never more than 10% down) instead of down to an
            integer. Defaults to None.
        squeeze_from (str): The width :math:`B` that :math:`r` reduces:
            ``'input'`` (:math:`C`, default) or ``'block_input'`` (the
            block's input width, ``block_in_channels``).
        block_in_channels (int, optional): Width entering the block that
            holds the SE; the blocks pass it. Needed by
            ``squeeze_from='block_input'``.
        act_cfg (dict): Activation :math:`\delta`. Defaults to ReLU6.
        gate_cfg (dict): Gate :math:`\sigma`. Defaults to the sigmoid.
        bias (bool): Give both 1x1 convs a bias. Defaults to True.
        inplace (bool): At inference (no gradient wanted), re-weight the
            input in place. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    _abbr_ = 'se'
    #: Set by :func:`record_gates` while it records: ``forward`` then hands
    #: it the gate it applies, ``channel`` (N, C, 1, 1).
    gate_recorder: Optional[GateRecorder] = None

    def __init__(self,
                 in_channels: int,
                 reduction: float = 24,
                 min_channels: int = 8,
                 divisor: Optional[int] = None,
                 squeeze_from: str = 'input',
                 block_in_channels: Optional[int] = None,
                 act_cfg: ConfigType = dict(type='ReLU6'),
                 gate_cfg: ConfigType = dict(type='Sigmoid'),
                 bias: bool = True,
                 inplace: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        if squeeze_from not in SQUEEZE_FROM:
            raise ValueError(f'squeeze_from must be one of {SQUEEZE_FROM}, '
                             f'but got {squeeze_from!r}')
        if squeeze_from == 'block_input' and block_in_channels is None:
            raise ValueError(
                "squeeze_from='block_input' needs block_in_channels, which "
                'the blocks of mmca backbones pass; give it when building '
                'the SE elsewhere')
        self.in_channels = in_channels
        self.inplace = inplace
        squeezed = (in_channels if squeeze_from == 'input' else
                    block_in_channels) / reduction
        self.mid_channels = max(
            min_channels,
            int(squeezed) if divisor is None else _round_to_multiple(
                squeezed, divisor))
        self.conv1 = nn.Conv2d(in_channels, self.mid_channels, 1, bias=bias)
        self.act = build_activation_layer(act_cfg)
        self.conv2 = nn.Conv2d(self.mid_channels, in_channels, 1, bias=bias)
        self.gate = build_activation_layer(gate_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x.mean(dim=(2, 3), keepdim=True)
        gate = self.gate(self.conv2(self.act(self.conv1(z))))
        if self.gate_recorder is not None:
            self.gate_recorder(self, channel=gate)
        if self.inplace and not torch.is_grad_enabled():
            return x.mul_(gate)
        return x * gate
