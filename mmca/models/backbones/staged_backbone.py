"""What MobileNetV2CA and MobileNeXtCA share: a stem, stages, and their
outputs."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

from mmca.utils.typing_utils import OptConfigType, OptMultiConfig


def make_divisible(value: float, divisor: int = 8,
                   min_ratio: float = 0.9) -> int:
    """Round ``value`` to a multiple of ``divisor`` losing at most 10%."""
    new_value = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return new_value + divisor if new_value < min_ratio * value else new_value


class StagedBackbone(BaseModule):
    """A stem conv ``conv1``, then ``num_stages`` stages, some returned.

    Subclasses set the class attributes ``arch_settings`` (one row per block
    stage) and ``num_stages``, build the stem with :meth:`build_stem` and add
    their stages in order with :meth:`add_stage`, giving the blocks of block
    stage ``i`` the attention :meth:`stage_attention` returns for it.

    Stage ``i`` is the module named ``self.stage_names[i]``. Stages after the
    last of ``out_indices`` are not built, so a segmentation backbone that
    stops at stride 8 carries no unused weights (and DDP finds no unused
    parameters). ``out_channels`` is the width of the last built stage.

    Args:
        out_indices (Sequence[int]): Stages whose outputs are returned; -1
            is the stem's (stride 2), which mmseg's LRASPP on
            MobileNetV3-Small reads.
        frozen_stages (int): Freeze the stem and the first ``frozen_stages``
            stages (-1: nothing; 0: the stem only), as in mmdet.
        norm_eval (bool): Keep norm layers in eval mode while training.
        zero_init_residual (bool): Start the last norm of every residual
            branch at zero scale, so each residual block starts as the
            identity (as mmdet's and mmpretrain's ResNets do); training from
            scratch gets going sooner. Not applied over pretrained weights.
        init_cfg (dict or list[dict], optional): Initialization config.
        stage_with_attention (Sequence[bool], optional): Which block stages
            carry the backbone's ``attention``: one True or False per row of
            ``arch_settings``, as mmdet's ResNet takes
            ``stage_with_dcn=(False, True, True, True)`` beside ``dcn`` (and
            mmcv plugins ``stages``). None (default): every block stage, as
            in the paper. A block with no attention slot has none either way.
    """

    arch_settings: List[list]
    num_stages: int

    def __init__(self,
                 out_indices: Sequence[int],
                 frozen_stages: int,
                 norm_eval: bool,
                 zero_init_residual: bool,
                 init_cfg: OptMultiConfig,
                 stage_with_attention: Optional[Sequence[bool]] = None
                 ) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='Kaiming', layer='Conv2d'),
                dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
            ]
        super().__init__(init_cfg)
        num_stages = self.num_stages
        out_indices = tuple(out_indices)
        if not out_indices or not set(out_indices) <= set(
                range(-1, num_stages)):
            raise ValueError(f'out_indices must be a non-empty subset of '
                             f'range(-1, {num_stages}) (-1: the stem), but '
                             f'got {out_indices}')
        if frozen_stages not in range(-1, num_stages + 1):
            raise ValueError(f'frozen_stages must be in range(-1, '
                             f'{num_stages + 1}), but got {frozen_stages}')
        self.stage_with_attention = self._stage_mask(stage_with_attention)
        self.out_indices = tuple(sorted(out_indices))
        self.num_built_stages = max(out_indices) + 1
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.zero_init_residual = zero_init_residual
        self.stage_names: List[str] = []

    def _stage_mask(self, mask: Optional[Sequence[bool]]) -> Tuple[bool, ...]:
        """``stage_with_attention`` checked, as a tuple; None is all True."""
        num_block_stages = len(self.arch_settings)
        if mask is None:
            return (True, ) * num_block_stages
        expected = (f'None (every stage) or {num_block_stages} booleans, one '
                    f'per block stage of {type(self).__name__} (stages 0..'
                    f'{num_block_stages - 1}), e.g. (False, ) + (True, ) * '
                    f'{num_block_stages - 1}')
        if not isinstance(mask, (tuple, list)) or not all(
                isinstance(entry, bool) for entry in mask):
            raise TypeError(f'stage_with_attention must be {expected}, but '
                            f'got {mask!r}')
        if len(mask) != num_block_stages:
            raise ValueError(f'stage_with_attention must be {expected}, but '
                             f'got {len(mask)} entries: {tuple(mask)}')
        return tuple(mask)

    def stage_attention(self, stage: int,
                        attention: OptConfigType) -> OptConfigType:
        """``attention`` for the blocks of block stage ``stage`` if
        ``stage_with_attention`` includes it, else None."""
        return attention if self.stage_with_attention[stage] else None

    def build_stem(self, widen_factor: float, **layer_cfgs) -> int:
        """Build ``conv1``, the stride-2 3x3 stem; return its width."""
        channels = make_divisible(32 * widen_factor)
        self.conv1 = ConvModule(3, channels, 3, stride=2, padding=1,
                                **layer_cfgs)
        return channels

    def stage_settings(self, strides: Sequence[int],
                       dilations: Sequence[int]) -> List[tuple]:
        """``(arch_setting, stride, dilation)`` of each stage to build."""
        if not len(strides) == len(dilations) == len(self.arch_settings):
            raise ValueError(
                f'strides and dilations need {len(self.arch_settings)} '
                f'entries each, but got {strides} and {dilations}')
        settings = list(zip(self.arch_settings, strides, dilations))
        return settings[:self.num_built_stages]

    def add_stage(self, name: str, stage: nn.Module) -> None:
        self.add_module(name, stage)
        self.stage_names.append(name)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.conv1(x)
        outs = [x] if -1 in self.out_indices else []
        for i, name in enumerate(self.stage_names):
            x = getattr(self, name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def init_weights(self) -> None:
        super().init_weights()
        pretrained = isinstance(self.init_cfg, dict) and \
            self.init_cfg.get('type') == 'Pretrained'
        if self.zero_init_residual and not pretrained:
            for module in self.modules():
                norm = getattr(module, 'residual_norm', None)
                if norm is not None:
                    nn.init.zeros_(norm.weight)

    def _freeze_stages(self) -> None:
        if self.frozen_stages < 0:
            return
        frozen = [self.conv1] + [
            getattr(self, name)
            for name in self.stage_names[:self.frozen_stages]
        ]
        for module in frozen:
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'StagedBackbone':
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
