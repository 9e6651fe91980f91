r"""Other formulations of the CA block, to time ours against.

Each runs the maths of a :class:`~mmca.models.CoordAttention` with that
module's own weights, so outputs agree and only the passes differ. Passes
over the (N, C, H, W) tensor, counting each full read or write once:

=================  ==========================================  ======
formulation        passes                                      count
=================  ==========================================  ======
paper              2 adaptive pools (2 reads); ``x * a_w``     6
                   (read, write); ``* a_h`` (read, write)
timm               2 means (2 reads); the same two multiplies  6
mmca               1 fused strip mean (1 read); 1 fused gate   3
                   (read, write)
floor              2 means (2 reads); 1 multiply (read, write) 4
=================  ==========================================  ======

The floor is the least any unfused formulation can do: the two strip
means plus one multiply of the input, each a single PyTorch kernel.
"""
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from mmca.models import CoordAttention


def _hard_swish_released(x: Tensor) -> Tensor:
    # The release's h_swish: x * ReLU6(x + 3) / 6, three element-wise ops.
    return x * (F.relu6(x + 3) / 6)


def paper_forward(module: CoordAttention) -> Callable[[Tensor], Tensor]:
    """The released ``CoordAtt.forward`` (Andrew-Qibin/CoordAttention).

    Adaptive average pooling to (H, 1) and (1, W), permute, concatenate,
    conv-BN-h_swish, split, permute back, two conv + sigmoid gates and
    ``identity * a_w * a_h``.
    """

    def forward(x: Tensor) -> Tensor:
        n, c, h, w = x.size()
        x_h = F.adaptive_avg_pool2d(x, (None, 1))
        x_w = F.adaptive_avg_pool2d(x, (1, None)).permute(0, 1, 3, 2)
        y = torch.cat([x_h, x_w], dim=2)
        y = _hard_swish_released(module.bn1(module.conv1(y)))
        x_h, x_w = torch.split(y, [h, w], dim=2)
        x_w = x_w.permute(0, 1, 3, 2)
        a_h = module.conv_h(x_h).sigmoid()
        a_w = module.conv_w(x_w).sigmoid()
        return x * a_w * a_h

    return forward


def timm_forward(module: CoordAttention) -> Callable[[Tensor], Tensor]:
    """timm 1.0's ``CoordAttn.forward`` (``timm/layers/coord_attn.py``).

    Restated because timm needs torchvision, which does not import beside
    this torch: ``x.mean`` strip pooling, transpose, concatenate,
    conv-BN-Hardswish, split, two conv + sigmoid gates and
    ``identity * a_w * a_h``. Run at our mid width (timm's default width is
    ``C / 16 * 2 / 3`` rounded to 8).
    """

    def forward(x: Tensor) -> Tensor:
        n, c, h, w = x.size()
        x_h = x.mean(3, keepdim=True)
        x_w = x.mean(2, keepdim=True).transpose(-1, -2)
        y = torch.cat([x_h, x_w], dim=2)
        y = F.hardswish(module.bn1(module.conv1(y)))
        x_h, x_w = torch.split(y, [h, w], dim=2)
        x_w = x_w.transpose(-1, -2)
        a_h = module.conv_h(x_h).sigmoid()
        a_w = module.conv_w(x_w).sigmoid()
        return x * a_w * a_h

    return forward


def memory_traffic_floor(x: Tensor) -> Callable[[], Tensor]:
    """The two strip means plus one multiply of ``x`` by a (broadcast) gate.

    Like every candidate, the multiply allocates its output.
    """
    gate = torch.rand_like(x[:, :, :, :1])

    def run() -> Tensor:
        x.mean(dim=3)
        x.mean(dim=2)
        return x * gate

    return run
