"""Coordinate attention (Hou, Zhou, Feng, CVPR 2021)."""

import warnings
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch.nn.modules.batchnorm import _BatchNorm

from mmca.ops import (coord_attention_inference, coord_attention_training,
                      coord_gate, fuses_inference, fuses_training,
                      is_exporting, strip_mean, takes_input_act)
from mmca.utils.typing_utils import ConfigType, OptMultiConfig
from .export_form import CAExportForm
from .recording import GateRecorder

#: The spatial directions a block can attend along, in the paper's order:
#: ``'h'`` pools each row (along W) and gates rows, ``'w'`` the columns.
DIRECTIONS = ('h', 'w')
#: How the two gates meet the input (see :class:`CoordAttention`).
COMBINES = ('product', 'softmax')


def softmax_gate(logit_h: torch.Tensor,
                 logit_w: torch.Tensor) -> torch.Tensor:
    r"""The gate of ``combine='softmax'``, :math:`\beta^h g^h + \beta^w g^w`.

    ``logit_h`` (N, C, H, 1) and ``logit_w`` (N, C, 1, W) are :math:`u^h`
    and :math:`u^w`, or both (N, C, H, W). A softmax over two values is the
    sigmoid of their difference, :math:`\beta^h = \sigma(u^h - u^w)`, which
    needs no exponential that could overflow. Returns (N, C, H, W).
    """
    weight_h = torch.sigmoid(logit_h - logit_w)
    gate_h, gate_w = logit_h.sigmoid(), logit_w.sigmoid()
    return gate_w + weight_h * (gate_h - gate_w)


def _directions(directions: Union[str, Sequence[str]]) -> Tuple[str, ...]:
    """``directions`` as a tuple in the paper's order; a bad one refused."""
    if isinstance(directions, str):     # ('h') is 'h' in a config
        directions = tuple(directions)
    allowed = "('h', 'w'), ('h',) or ('w',)"
    if not isinstance(directions, (tuple, list)):
        raise TypeError(f'directions must be {allowed}, but got '
                        f'{directions!r}')
    if (not directions or len(set(directions)) != len(directions)
            or not set(directions) <= set(DIRECTIONS)):
        raise ValueError(f'directions must be {allowed}, but got '
                         f'{tuple(directions)!r}')
    return tuple(d for d in DIRECTIONS if d in directions)


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
    These are the defaults; the options below answer the release README's
    open questions, each an exact variant of the same block.

    **One direction** (``directions=('h',)`` or ``('w',)``; the README: "either
    horizontal or vertical direction attention performs the same to the SE
    attention"). Only that strip is pooled, transformed by the same
    :math:`F_1` and :math:`\delta` and turned into its gate; the other gate
    conv is not built (no ``conv_w`` for ``('h',)``, no ``conv_h`` for
    ``('w',)``):

    .. math::
        g^h = \sigma(F_h(\delta(F_1(z^h)))), \quad
        y_c(i, j) = x_c(i, j) \, g^h_c(i)
        \qquad \text{(and alike for } w \text{)}.

    **Softmax between the directions** (``combine='softmax'``; the README:
    "not sure whether the results would be better if a softmax is applied
    between the horizontal and vertical features"). We read *between* as
    *across the two directions*: at each position the horizontal and the
    vertical gate compete for one unit of weight, as SKNet's softmax weighs
    its branches, rather than a softmax along a strip, which would compare
    positions of one direction with each other and shrink every gate as
    :math:`H` or :math:`W` grows. The softmax takes the gates' own logits,
    :math:`u^h = F_h(f^h)` (C, H) and :math:`u^w = F_w(f^w)` (C, W), the
    arguments of :math:`\sigma` in eq. 5, 6; so the block has the paper's
    parameters (and loads its weights) and only the combination changes.
    At each :math:`(c, i, j)`:

    .. math::
        [\beta^h_c(i, j), \beta^w_c(i, j)]
            = \mathrm{softmax}([u^h_c(i), u^w_c(j)]), \quad
        y_c(i, j) = x_c(i, j) \, \big(\beta^h_c(i, j) \, g^h_c(i)
            + \beta^w_c(i, j) \, g^w_c(j)\big),

    with :math:`\beta^h + \beta^w = 1`, :math:`\beta^h = \sigma(u^h_c(i) -
    u^w_c(j))`; :math:`\beta` and the gate are (N, C, H, W). The gate lies
    between :math:`g^h_c(i)` and :math:`g^w_c(j)`, nearer the larger (the
    product lies below both), so it stays in (0, 1); unlike the product it
    does not factor into a row and a column gate, so the block forms the
    whole (N, C, H, W) gate map.

    The block is memory-bound: only the passes over x (the strip means,
    the gating) matter. On CPU each is one fused pass (:mod:`mmca.ops`),
    where the plain formulation makes two or three. Inference (no
    gradient, BN on running statistics) is one compiled call that folds BN
    into :math:`F_1` as it goes and computes each channel's gates inside
    the gating pass. Training is two passes each way
    (:func:`~mmca.ops.coord_attention_training`): the strip means and the
    gating forward; the gates' gradients, then dx with the strips' gradient
    added in, backward. In both, given the producer's ReLU or ReLU6 as
    ``input_act``, the passes apply it (and in training its gradient) as
    they read x, so the activation costs no pass of its own. Results match
    the plain formulation to 1e-5. The compiled paths run the paper's block
    (both directions, product) with an h-swish, ReLU, ReLU6 or SiLU
    :math:`\delta` (in training, after a BN of one process, not SyncBN);
    the options and other activations take the plain
    formulation (the fused strip means where both strips are pooled), and
    so do other devices, tracing and export. With BN on running statistics,
    :math:`F_1` and :math:`\delta` act on each position alone, so each strip
    goes through them by itself: the graph has no Concat and no Split by H
    and W (sizes it would compute from x's shape at run time). Which
    standard operators spell the means and the gating is
    :attr:`export_form`
    (:class:`~mmca.models.attention.export_form.CAExportForm`); by default
    ``ReduceMean`` (any input size) and one same-shape Mul of x by
    :math:`g^h \otimes g^w`. Each runtime is exported in the form that runs
    fastest in it (docs/deployment.md). Every option exports in every form.

    Args:
        in_channels (int): Channels :math:`C` of the input (and output).
        reduction (int): Reduction ratio :math:`r`: the mid width is
            :math:`\max(\text{min\_channels}, C // r)`. Defaults to 32, the
            paper's.
        min_channels (int): Floor on the mid width :math:`M`. Defaults to 8.
        norm_cfg (dict): Norm after the shared conv. Defaults to BN.
        act_cfg (dict): The activation in :math:`\delta`, after that norm:
            ``dict(type='HSwish')`` (default, the release's h-swish),
            ``dict(type='ReLU6')``, ``dict(type='SiLU')`` (the README: "SiLU
            activation (h_swish in the code) works better than ReLU6"),
            ``dict(type='ReLU')``: each in the compiled ops, at inference
            and in training; any other mmcv activation in plain ops.
        directions (str or Sequence[str]): The directions attended:
            ``('h', 'w')`` (default, the paper), ``('h',)`` (gate rows only)
            or ``('w',)`` (columns only). A string of the letters, ``'h'``,
            is read alike.
        combine (str): How the two gates re-weight x: ``'product'``
            (default, the paper's eq. 7) or ``'softmax'`` (above; needs both
            directions).
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
    #: it the gates it applies, from whichever path runs: ``gate_h``
    #: (N, C, H, 1) and ``gate_w`` (N, C, 1, W), the one of its direction
    #: with one direction, or ``gate`` (N, C, H, W) with
    #: ``combine='softmax'``.
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
                 directions: Union[str, Sequence[str]] = DIRECTIONS,
                 combine: str = 'product',
                 inplace: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        directions = _directions(directions)
        if combine not in COMBINES:
            raise ValueError(f'combine must be one of {COMBINES}, but got '
                             f'{combine!r}')
        if combine == 'softmax' and directions != DIRECTIONS:
            raise ValueError(
                "combine='softmax' weighs the two directions against each "
                f"other and needs directions=('h', 'w'), but got "
                f'directions={directions!r}')
        self.in_channels = in_channels
        self.directions = directions
        self.combine = combine
        self.inplace = inplace
        self.mid_channels = max(min_channels, in_channels // reduction)
        self.conv1 = nn.Conv2d(in_channels, self.mid_channels, 1)
        self.bn1 = build_norm_layer(norm_cfg, self.mid_channels)[1]
        self.act = build_activation_layer(act_cfg)
        self.conv_h = (nn.Conv2d(self.mid_channels, in_channels, 1)
                       if 'h' in directions else None)
        self.conv_w = (nn.Conv2d(self.mid_channels, in_channels, 1)
                       if 'w' in directions else None)
        self._norm_folds = isinstance(self.bn1, _BatchNorm)
        # The compiled ops compute the paper's block only.
        self._paper_block = directions == DIRECTIONS and combine == 'product'

    def forward(self,
                x: torch.Tensor,
                input_act: Optional[nn.Module] = None) -> torch.Tensor:
        """The block of ``input_act(x)`` (of ``x`` without it).

        Args:
            x (Tensor): (N, C, H, W).
            input_act (nn.Module, optional): The activation of the layer
                that produced ``x``, not yet applied. The backbones pass
                their depthwise conv's: the compiled ops, at inference and
                in training, apply a ReLU or ReLU6 in their own reads of
                ``x``.
        """
        inference = self._fuses_inference(x)
        training = not inference and self._fuses_training(x)
        if input_act is not None and not (
                (inference or training) and takes_input_act(input_act)):
            x, input_act = input_act(x), None
        if inference:
            if self.gate_recorder is not None:
                return self._recorded_inference(x, input_act)
            return coord_attention_inference(x, self._layer_tensors(),
                                             self.act, self.inplace, input_act)
        if training:
            modules = self._modules
            return coord_attention_training(x, self._layer_tensors(),
                                            modules['bn1'], modules['act'],
                                            input_act)
        if is_exporting() and self._norm_uses_running_stats():
            return self._forward_exported(x)
        inplace = self.inplace and not torch.is_grad_enabled()
        if len(self.directions) == 1:
            return self._forward_one_direction(x, inplace)
        # Both means in one read of x, end to end as one (H + W) strip so the
        # shared transform runs once.
        logit_h, logit_w = self._strip_logits(strip_mean(x), x.shape[2])
        if self.combine == 'softmax':
            gate = softmax_gate(logit_h.unsqueeze(3), logit_w.unsqueeze(2))
            if self.gate_recorder is not None:
                self.gate_recorder(self, gate=gate)
            return x.mul_(gate) if inplace else x * gate
        gate_h, gate_w = logit_h.sigmoid(), logit_w.sigmoid()
        if self.gate_recorder is not None:
            self.gate_recorder(self, gate_h=gate_h.unsqueeze(3),
                               gate_w=gate_w.unsqueeze(2))
        # x * g^h * g^w in one more pass, keeping x's memory format.
        return coord_gate(x, gate_h, gate_w, inplace)

    def _strip_logits(self, z: torch.Tensor,
                      h: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """:math:`u^h = F_h(f^h)` (N, C, H) and :math:`u^w = F_w(f^w)`
        (N, C, W), the gates' logits, from the strips :math:`[z^h, z^w]`
        (N, C, H + W)."""
        f = self.act(self.bn1(self.conv1(z.unsqueeze(3))))    # (N, M, H+W, 1)
        f_h, f_w = torch.split(f, [h, z.shape[2] - h], dim=2)
        return self.conv_h(f_h).squeeze(3), self.conv_w(f_w).squeeze(3)

    def _forward_one_direction(self, x: torch.Tensor,
                               inplace: bool) -> torch.Tensor:
        """``x * g^h`` (g^h: (N, C, H, 1)) or ``x * g^w`` ((N, C, 1, W))."""
        direction = self.directions[0]
        # The h strip averages each row (over W), the w strip each column.
        z = x.mean(3 if direction == 'h' else 2, keepdim=True)
        conv = self.conv_h if direction == 'h' else self.conv_w
        gate = conv(self.act(self.bn1(self.conv1(z)))).sigmoid()
        if self.gate_recorder is not None:
            self.gate_recorder(self, **{f'gate_{direction}': gate})
        return x.mul_(gate) if inplace else x * gate

    def _forward_exported(self, x: torch.Tensor) -> torch.Tensor:
        """The block as exported, in the operators :attr:`export_form`
        names. Each strip goes through :math:`F_1` and :math:`\\delta` on
        its own (equal to the joint transform while BN uses running
        statistics, and folded into :math:`F_1` here), so the graph holds no
        Concat and no Split by H and W.

        With one direction, the form's gate is that direction's alone (x
        times it; ``'resize'`` brings it to (H, W) first). The softmax gate
        is a full map whatever the form: computed by broadcasting the two
        strips' logits (``'outer'``, ``'broadcast'``), or from logits
        resized to (H, W) (``'resize'``: every op same-shape).
        """
        form = self.export_form
        h, w = x.shape[-2:]
        if form.static:
            # The kernels and sizes of a fixed-size graph: constants, where a
            # traced size would be a value computed from x's shape.
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', torch.jit.TracerWarning)
                h, w = int(h), int(w)
        w1, b1, gate_convs = self._export_weights(form.mid_multiple)
        logits = []
        for direction, (weight, bias) in zip(self.directions, gate_convs):
            if form.pool == 'avgpool':
                z = F.avg_pool2d(x, (1, w) if direction == 'h' else (h, 1))
            else:
                z = x.mean(3 if direction == 'h' else 2, keepdim=True)
            logits.append(
                F.conv2d(self.act(F.conv2d(z, w1, b1)), weight, bias))

        def resized(t: torch.Tensor) -> torch.Tensor:
            return F.interpolate(t, size=(h, w), mode='nearest')

        if self.combine == 'softmax':
            if form.gate == 'resize':
                logits = [resized(logit) for logit in logits]
            return x * softmax_gate(*logits)
        gates = [logit.sigmoid() for logit in logits]
        if form.gate == 'outer' and len(gates) == 2:
            return x * (gates[0] * gates[1])    # gate: (N, C, H, W)
        if form.gate == 'resize':
            gates = [resized(gate) for gate in gates]
        for gate in gates:
            x = x * gate
        return x

    def _export_weights(self, mid_multiple: int) -> tuple:
        """:math:`F_1` with BN folded in, and the ``(weight, bias)`` of
        :math:`F_h` and :math:`F_w` (those of :attr:`directions`), their mid
        width padded with zeros to a multiple of ``mid_multiple``.

        While tracing, computed from the tensors' ``.data``, which the
        tracer does not follow: the graph receives the results as constants
        of known shape (the ONNX exporter needs a convolution's kernel
        shape), not the arithmetic. torch.export (LiteRT) refuses such
        untraced tensors and folds the arithmetic itself.
        """
        def data(t: torch.Tensor) -> torch.Tensor:
            return t.data if torch.jit.is_tracing() else t

        conv1 = self._modules['conv1']._parameters
        bn = self._modules['bn1']
        mean, var = bn._buffers['running_mean'], bn._buffers['running_var']
        scale = data(bn._parameters['weight']) / torch.sqrt(data(var) +
                                                            bn.eps)
        w1 = data(conv1['weight']) * scale.view(-1, 1, 1, 1)
        b1 = ((data(conv1['bias']) - data(mean)) * scale +
              data(bn._parameters['bias']))
        gate_convs = [self._modules[f'conv_{d}']._parameters
                      for d in self.directions]
        gate_convs = [(data(p['weight']), data(p['bias'])) for p in gate_convs]
        pad = -self.mid_channels % mid_multiple
        if pad:
            w1 = F.pad(w1, (0, 0, 0, 0, 0, 0, 0, pad))
            b1 = F.pad(b1, (0, pad))
            gate_convs = [(F.pad(weight, (0, 0, 0, 0, 0, pad)), bias)
                          for weight, bias in gate_convs]
        return w1, b1, gate_convs

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
        """The paper's block (both directions, product), no gradient
        wanted, BN on running statistics (folded into conv1 by the compiled
        op), and an input and activation the op takes."""
        return (self._paper_block and not torch.is_grad_enabled()
                and self._norm_uses_running_stats()
                and fuses_inference(x, self._modules['act']))

    def _fuses_training(self, x: torch.Tensor) -> bool:
        """The paper's block with gradients wanted, and a norm, activation
        and input the compiled ops take (:func:`coord_attention_training`);
        not while gates are recorded, whose recorder may want their
        graph."""
        modules = self._modules
        return (self._paper_block and self.gate_recorder is None
                and torch.is_grad_enabled()
                and fuses_training(x, modules['bn1'], modules['act']))

    def _layer_tensors(self) -> dict:
        """The layers' tensors by the names of the compiled ops' arguments
        (:func:`coord_attention_inference`, :func:`coord_attention_training`).

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
