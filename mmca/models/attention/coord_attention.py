"""Coordinate attention (Hou, Zhou, Feng, CVPR 2021)."""

import warnings
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch.nn.modules.batchnorm import _BatchNorm

from mmca.ops import (coord_attention_inference, coord_gate, fuses_inference,
                      is_exporting, strip_mean, takes_input_act)
from mmca.utils.typing_utils import ConfigType, OptMultiConfig
from .export_form import CAExportForm
from .recording import GateRecorder


@MODELS.register_module()
class CoordAttention(BaseModule):
    r"""Coordinate attention block.

    For an input :math:`X \in \mathbb{R}^{C \times H \times W}` the block
    embeds position by pooling along each spatial direction (paper eq. 2, 3):

    .. math::
        z^h_c(h) = \frac{1}{W} \sum_{0 \le i < W} x_c(h, i), \qquad
        z^w_c(w) = \frac{1}{H} \sum_{0 \le j < H} x_c(j, w),

    transforms both strips jointly with a shared 1x1 convolution :math:`F_1`
    that reduces the width by :math:`r` (eq. 4), splits them again and turns
    each into a gate (eq. 5, 6), then re-weights the input (eq. 7):

    .. math::
        f = \delta(F_1([z^h, z^w])), \quad
        g^h = \sigma(F_h(f^h)), \quad g^w = \sigma(F_w(f^w)), \quad
        y_c(i, j) = x_c(i, j) \, g^h_c(i) \, g^w_c(j).

    Shapes, with :math:`M = \max(8, C // r)` the mid width:

    ======================  ===================
    x                       (N, C, H, W)
    z^h, z^w                (N, C, H), (N, C, W)
    [z^h, z^w]              (N, C, H + W)
    f = act(norm(conv1(.)))  (N, M, H + W)
    g^h, g^w                (N, C, H), (N, C, W)
    y                       (N, C, H, W)
    ======================  ===================

    As in the released model, :math:`F_1`, :math:`F_h` and :math:`F_w` carry a
    bias, :math:`\delta` is BN followed by h-swish, and the gates are sigmoids.

    The block is memory-bound: only the two passes over x (the strip means,
    the gating) matter. On CPU each is one fused pass (:mod:`mmca.ops`),
    forward and backward, where the plain formulation makes two or three.
    Inference (no gradient, BN on running statistics) is one compiled call
    that folds BN into :math:`F_1` as it goes and computes each channel's
    gates inside the gating pass; given the producer's ReLU or ReLU6 as
    ``input_act``, both passes apply it as they read x, so the activation
    costs no pass of its own. Results match the plain formulation to 1e-5.
    Other devices and training take plain PyTorch ops, and so do tracing
    and export. With BN on running statistics, :math:`F_1` and
    :math:`\delta` act on each position alone, so each strip goes through
    them by itself: the graph has no Concat and no Split by H and W (sizes
    it would compute from x's shape at run time). Which standard operators
    spell the means and the gating is :attr:`export_form`
    (:class:`~mmca.models.attention.export_form.CAExportForm`); by default
    ``ReduceMean`` (any input size) and one same-shape Mul of x by
    :math:`g^h \otimes g^w`. Each runtime is exported in the form that runs
    fastest in it (docs/deployment.md).

    Args:
        in_channels (int): Channels :math:`C` of the input (and output).
        reduction (int): Reduction ratio :math:`r`. Defaults to 32.
        min_channels (int): Floor on the mid width :math:`M`. Defaults to 8.
        norm_cfg (dict): Norm after the shared conv. Defaults to BN.
        act_cfg (dict): Activation after that norm. Defaults to h-swish.
        inplace (bool): At inference (no gradient wanted), write the output
            into the input, as ``nn.ReLU(inplace=True)`` does: set it where
            nothing else reads the input. The backbones set it for their
            depthwise outputs. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    _abbr_ = 'coord_att'
    #: ``forward`` takes the producer's activation as ``input_act`` and
    #: applies it in its own reads (see :func:`conv_attention`).
    applies_input_act = True
    #: Set by :func:`record_gates` while it records: ``forward`` then hands
    #: it the gates it applies, ``gate_h`` (N, C, H, 1) and ``gate_w``
    #: (N, C, 1, W), from whichever path runs.
    gate_recorder: Optional[GateRecorder] = None
    #: The operators the block is exported in (tracing, ONNX export) while
    #: BN uses running statistics. The default holds for any input size;
    #: :func:`mmca.deployment.ca_export_form` sets another for a runtime.
    export_form: CAExportForm = CAExportForm()

    def __init__(self,
                 in_channels: int,
                 reduction: int = 32,
                 min_channels: int = 8,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='HSwish'),
                 inplace: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        self.in_channels = in_channels
        self.inplace = inplace
        self.mid_channels = max(min_channels, in_channels // reduction)
        self.conv1 = nn.Conv2d(in_channels, self.mid_channels, 1)
        self.bn1 = build_norm_layer(norm_cfg, self.mid_channels)[1]
        self.act = build_activation_layer(act_cfg)
        self.conv_h = nn.Conv2d(self.mid_channels, in_channels, 1)
        self.conv_w = nn.Conv2d(self.mid_channels, in_channels, 1)
        self._norm_folds = isinstance(self.bn1, _BatchNorm)

    def forward(self,
                x: torch.Tensor,
                input_act: Optional[nn.Module] = None) -> torch.Tensor:
        """The block of ``input_act(x)`` (of ``x`` without it).

        Args:
            x (Tensor): (N, C, H, W).
            input_act (nn.Module, optional): The activation of the layer
                that produced ``x``, not yet applied. The backbones pass
                their depthwise conv's: the compiled inference op applies a
                ReLU or ReLU6 in its own reads of ``x``.
        """
        fused = self._fuses_inference(x)
        if input_act is not None and not (fused
                                          and takes_input_act(input_act)):
            x, input_act = input_act(x), None
        if fused:
            if self.gate_recorder is not None:
                return self._recorded_inference(x, input_act)
            return coord_attention_inference(x, self._layer_tensors(),
                                             self.act, self.inplace, input_act)
        if is_exporting() and self._norm_uses_running_stats():
            return self._forward_exported(x)
        h, w = x.shape[-2:]
        # Both means in one read of x, end to end as one (H + W) strip so the
        # shared transform runs once.
        z = strip_mean(x)                                     # (N, C, H + W)
        f = self.act(self.bn1(self.conv1(z.unsqueeze(3))))    # (N, M, H+W, 1)
        f_h, f_w = torch.split(f, [h, w], dim=2)
        gate_h = self.conv_h(f_h).sigmoid().squeeze(3)        # (N, C, H)
        gate_w = self.conv_w(f_w).sigmoid().squeeze(3)        # (N, C, W)
        if self.gate_recorder is not None:
            self.gate_recorder(self, gate_h=gate_h.unsqueeze(3),
                               gate_w=gate_w.unsqueeze(2))
        # x * g^h * g^w in one more pass, keeping x's memory format.
        return coord_gate(x, gate_h, gate_w,
                          self.inplace and not torch.is_grad_enabled())

    def _forward_exported(self, x: torch.Tensor) -> torch.Tensor:
        """The block as exported, in the operators :attr:`export_form`
        names. Each strip goes through :math:`F_1` and :math:`\\delta` on
        its own (equal to the joint transform while BN uses running
        statistics, and folded into :math:`F_1` here), so the graph holds no
        Concat and no Split by H and W."""
        form = self.export_form
        h, w = x.shape[-2:]
        if form.static:
            # The kernels and sizes of a fixed-size graph: constants, where a
            # traced size would be a value computed from x's shape.
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', torch.jit.TracerWarning)
                h, w = int(h), int(w)
        w1, b1, w_h, b_h, w_w, b_w = self._export_weights(form.mid_multiple)
        if form.pool == 'avgpool':
            z_h, z_w = F.avg_pool2d(x, (1, w)), F.avg_pool2d(x, (h, 1))
        else:
            z_h, z_w = x.mean(3, keepdim=True), x.mean(2, keepdim=True)
        gate_h = F.conv2d(self.act(F.conv2d(z_h, w1, b1)), w_h, b_h).sigmoid()
        gate_w = F.conv2d(self.act(F.conv2d(z_w, w1, b1)), w_w, b_w).sigmoid()
        if form.gate == 'outer':
            return x * (gate_h * gate_w)        # gate: (N, C, H, W)
        if form.gate == 'resize':
            gate_h = F.interpolate(gate_h, size=(h, w), mode='nearest')
            gate_w = F.interpolate(gate_w, size=(h, w), mode='nearest')
        return x * gate_h * gate_w

    def _export_weights(self, mid_multiple: int) -> tuple:
        """:math:`F_1` with BN folded in, :math:`F_h` and :math:`F_w`, their
        mid width padded with zeros to a multiple of ``mid_multiple``.

        While tracing, computed from the tensors' ``.data``, which the
        tracer does not follow: the graph receives the results as constants
        of known shape (the ONNX exporter needs a convolution's kernel
        shape), not the arithmetic. torch.export (LiteRT) refuses such
        untraced tensors and folds the arithmetic itself.
        """
        def data(t: torch.Tensor) -> torch.Tensor:
            return t.data if torch.jit.is_tracing() else t

        conv1, conv_h, conv_w = (self._modules[n]._parameters
                                 for n in ('conv1', 'conv_h', 'conv_w'))
        bn = self._modules['bn1']
        mean, var = bn._buffers['running_mean'], bn._buffers['running_var']
        scale = data(bn._parameters['weight']) / torch.sqrt(data(var) +
                                                            bn.eps)
        w1 = data(conv1['weight']) * scale.view(-1, 1, 1, 1)
        b1 = ((data(conv1['bias']) - data(mean)) * scale +
              data(bn._parameters['bias']))
        w_h, w_w = data(conv_h['weight']), data(conv_w['weight'])
        pad = -self.mid_channels % mid_multiple
        if pad:
            w1 = F.pad(w1, (0, 0, 0, 0, 0, 0, 0, pad))
            b1 = F.pad(b1, (0, pad))
            w_h = F.pad(w_h, (0, 0, 0, 0, 0, pad))
            w_w = F.pad(w_w, (0, 0, 0, 0, 0, pad))
        return (w1, b1, w_h, data(conv_h['bias']), w_w, data(conv_w['bias']))

    def _norm_uses_running_stats(self) -> bool:
        """BN in eval mode: an affine map per channel, the same at every
        position (so it folds into conv1, and acts per strip alike)."""
        if not self._norm_folds:
            return False
        bn = self._modules['bn1']
        return not bn.training and bn._buffers['running_mean'] is not None

    def _recorded_inference(self, x: torch.Tensor,
                            input_act: Optional[nn.Module]) -> torch.Tensor:
        """The compiled block, which also writes the gates it computes and
        applies into two tensors, for the recorder."""
        n, c, h, w = x.shape
        gate_h, gate_w = x.new_empty(n, c, h), x.new_empty(n, c, w)
        out = coord_attention_inference(x, self._layer_tensors(), self.act,
                                        self.inplace, input_act,
                                        gate_h_out=gate_h, gate_w_out=gate_w)
        self.gate_recorder(self, gate_h=gate_h.unsqueeze(3),
                           gate_w=gate_w.unsqueeze(2))
        return out

    def _fuses_inference(self, x: torch.Tensor) -> bool:
        """No gradient wanted, BN on running statistics (folded into conv1
        by the compiled op), and an input and activation the op takes."""
        return (not torch.is_grad_enabled() and self._norm_uses_running_stats()
                and fuses_inference(x, self._modules['act']))

    def _layer_tensors(self) -> dict:
        """The layers' tensors by :func:`coord_attention_inference`'s names.

        Read from the modules' dicts: the 22 lookups through
        ``nn.Module.__getattr__`` cost more than the compiled op itself on a
        late-stage block at batch 1 (docs/performance.md).
        """
        modules = self._modules
        conv1 = modules['conv1']._parameters
        bn = modules['bn1']
        conv_h = modules['conv_h']._parameters
        conv_w = modules['conv_w']._parameters
        return dict(w1=conv1['weight'], b1=conv1['bias'],
                    bn_weight=bn._parameters['weight'],
                    bn_bias=bn._parameters['bias'],
                    bn_mean=bn._buffers['running_mean'],
                    bn_var=bn._buffers['running_var'], eps=bn.eps,
                    w_h=conv_h['weight'], b_h=conv_h['bias'],
                    w_w=conv_w['weight'], b_w=conv_w['bias'])
