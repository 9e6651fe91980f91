"""Rewrite the CoordAttention blocks of an ncnn ``.param`` into mmca's
``CoordAttention`` layer (``mmca/ops/ncnn``), leaving the ``.bin`` as it is.

pnnx writes a block traced in the ``broadcast`` gate form (see
:class:`~mmca.models.attention.export_form.CAExportForm`) as 11 layers::

    Split x -> x1 x2 x3
    mean over W of x3 -> Convolution F_1 [-> act] -> Convolution F_h
        (sigmoid)                                                  -> g^h
    mean over H of x2 -> Convolution F_1 [-> act] -> Convolution F_w
        (sigmoid)                                                  -> g^w
    BinaryOp mul x1 g^h -> BinaryOp mul . g^w -> y

with the means as ``Pooling`` (the ``avgpool`` form, fixed to one input
size) or ``Reduction`` (the ``mean`` form, any size).

Each such pattern becomes one line, ``CoordAttention ... x y`` with the
block's sizes, non-linearity and the order of its four convolutions. The
layer reads the convolutions' weights from the ``.bin`` exactly where those
convolutions did, so the ``.bin`` is kept byte for byte; for that, no layer
outside the block may hold weights between the block's first convolution
and its last layer (pnnx writes a block's layers together; a block where
it does not is left as it is).
"""
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

#: The ``.param`` type of mmca's layer.
LAYER_TYPE = 'CoordAttention'
MAGIC = '7767517'
# Layers that read nothing from the .bin (the ones a block can sit among)
WEIGHTLESS = frozenset((
    'Input', 'Split', 'Pooling', 'BinaryOp', 'HardSwish', 'Swish', 'ReLU',
    'Clip', 'Sigmoid', 'Concat', 'Slice', 'Reshape', 'Permute', 'Interp',
    'Eltwise', 'Softmax', 'Noop', 'Flatten', 'Crop', 'Reduction', 'UnaryOp',
    LAYER_TYPE))
# ncnn's activation_type numbers, with the Swish layer as 7
ACTIVATION_LAYERS = {'ReLU': 1, 'Clip': 3, 'HardSwish': 6, 'Swish': 7}
SIGMOID = 4
# BinaryOp's op_type of a product
MUL = '2'
# the order of roles in the layer's params 5-8
MID_H, MID_W, GATE_H, GATE_W = range(4)


@dataclass
class Layer:
    """One line of a ``.param``: ``type name #bottoms #tops bottoms tops
    k=v ...``."""

    type: str
    name: str
    bottoms: List[str]
    tops: List[str]
    params: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, line: str) -> 'Layer':
        words = line.split()
        num_bottoms, num_tops = int(words[2]), int(words[3])
        blobs = words[4:4 + num_bottoms + num_tops]
        params = dict(word.split('=', 1)
                      for word in words[4 + num_bottoms + num_tops:])
        return cls(words[0], words[1], blobs[:num_bottoms],
                   blobs[num_bottoms:], params)

    def __str__(self) -> str:
        return ' '.join([
            f'{self.type:<24}', f'{self.name:<24}', str(len(self.bottoms)),
            str(len(self.tops)), *self.bottoms, *self.tops,
            *(f'{k}={v}' for k, v in self.params.items())
        ])

    def int_param(self, key: str, default: int = 0) -> int:
        return int(self.params.get(key, default))

    def float_params(self, key: str) -> List[float]:
        """An array param (ncnn writes id k as -23300-k: ``n,v1,...``)."""
        values = self.params.get(str(-23300 - int(key)))
        return [float(v) for v in values.split(',')[1:]] if values else []


class Graph:
    """A ``.param``'s layers with who consumes each blob."""

    def __init__(self, layers: List[Layer]):
        self.layers = layers
        self.consumers: Dict[str, List[int]] = {}
        for index, layer in enumerate(layers):
            for blob in layer.bottoms:
                self.consumers.setdefault(blob, []).append(index)

    def only_consumer(self, blob: str) -> Optional[int]:
        found = self.consumers.get(blob, [])
        return found[0] if len(found) == 1 else None


def read_param(path: str) -> List[Layer]:
    with open(path) as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    if not lines or lines[0].strip() != MAGIC:
        raise ValueError(f'{path} is not an ncnn .param (no {MAGIC} magic)')
    return [Layer.parse(line) for line in lines[2:]]


def write_param(layers: List[Layer], path: str) -> None:
    """Write ``layers`` with the header's counts; whole or not at all."""
    blobs = {blob for layer in layers for blob in layer.tops}
    text = '\n'.join([MAGIC, f'{len(layers)} {len(blobs)}',
                      *map(str, layers)]) + '\n'
    partial = f'{path}.{os.getpid()}.tmp'
    with open(partial, 'w') as f:
        f.write(text)
    os.replace(partial, path)


def is_pointwise_conv(layer: Layer) -> bool:
    """A 1x1, stride 1, unpadded, ungrouped convolution with a bias, in
    float32 (no INT8 scales)."""
    return (layer.type == 'Convolution'
            and layer.int_param('1', 1) == 1
            and layer.int_param('11', layer.int_param('1', 1)) == 1
            and layer.int_param('3', 1) == 1
            and layer.int_param('4', 0) == 0
            and layer.int_param('5', 0) == 1
            and layer.int_param('8', 0) == 0
            and len(layer.bottoms) == 1)


def conv_activation(layer: Layer) -> Tuple[int, List[float]]:
    return layer.int_param('9', 0), layer.float_params('10')


def strip_axis(layer: Layer):
    """Which axis a strip mean averages over: 'w' (giving z^h), 'h', None
    where the axis has length 1 (either reading is exact), False if
    ``layer`` is no strip mean: an unpadded average pooling of kernel
    (1, W) or (H, 1) (the ``avgpool`` form), or a mean over one axis that
    keeps it (``Reduction``, the ``mean`` form)."""
    if layer.type == 'Pooling':
        if (layer.int_param('0') != 1 or layer.int_param('4') != 0
                or layer.int_param('3') != 0):
            return False
        kernel_w = layer.int_param('1')
        kernel_h = layer.int_param('11', kernel_w)
        if kernel_h == 1 and kernel_w == 1:
            return None
        return 'w' if kernel_h == 1 else 'h' if kernel_w == 1 else False
    if layer.type == 'Reduction':
        # op 3 is the mean; 4=1 keeps the axis; axes as ncnn's (c, h, w)
        axes = layer.params.get(str(-23300 - 3), '')
        if (layer.int_param('0') != 3 or layer.int_param('4') != 1
                or layer.int_param('5') != 1):
            return False
        return {'1,2': 'w', '1,1': 'h'}.get(axes, False)
    return False


def match_branch(graph: Graph, blob: str) -> Optional[dict]:
    """strip mean -> F_1 [-> act] -> F_2 (sigmoid) from ``blob`` (a split
    output), or None. The branch's layers must each feed only the next."""
    layers = graph.layers
    pool = graph.only_consumer(blob)
    if pool is None:
        return None
    over = strip_axis(layers[pool])
    if over is False:
        return None
    chain = [pool]
    squeeze = graph.only_consumer(layers[pool].tops[0])
    if squeeze is None or not is_pointwise_conv(layers[squeeze]):
        return None
    chain.append(squeeze)
    activation, values = conv_activation(layers[squeeze])
    if activation not in (0, 1, 3, 6) or (activation == 1 and values):
        return None
    nxt = graph.only_consumer(layers[squeeze].tops[0])
    if nxt is None:
        return None
    if layers[nxt].type in ACTIVATION_LAYERS:
        if activation:
            return None
        act = layers[nxt]
        activation = ACTIVATION_LAYERS[act.type]
        if act.type == 'ReLU' and float(act.params.get('0', 0)) != 0:
            return None
        if act.type == 'Clip':
            values = [float(act.params.get('0', '-3.402823e+38')),
                      float(act.params.get('1', '3.402823e+38'))]
        elif act.type == 'HardSwish':
            values = [float(act.params.get('0', 0.2)),
                      float(act.params.get('1', 0.5))]
        chain.append(nxt)
        nxt = graph.only_consumer(act.tops[0])
        if nxt is None:
            return None
    if not is_pointwise_conv(layers[nxt]):
        return None
    excite = nxt
    chain.append(excite)
    top = layers[excite].tops[0]
    if layers[excite].int_param('9') != SIGMOID:
        sigmoid = graph.only_consumer(top)
        if (layers[excite].int_param('9') != 0 or sigmoid is None
                or layers[sigmoid].type != 'Sigmoid'):
            return None
        chain.append(sigmoid)
        top = layers[sigmoid].tops[0]
    return dict(chain=chain, squeeze=squeeze, excite=excite, gate=top,
                over=over, activation=activation, values=values)


def match_block(graph: Graph,
                split: int) -> Optional[Tuple[List[int], Layer]]:
    """The block that starts at Split layer ``split``: its layers, and the
    one ``CoordAttention`` layer that replaces them; None if it is not
    one."""
    layers = graph.layers
    s = layers[split]
    if s.type != 'Split' or len(s.tops) != 3:
        return None
    branches, identity = [], None
    for blob in s.tops:
        branch = match_branch(graph, blob)
        if branch:
            branches.append(branch)
        else:
            identity = blob
    if len(branches) != 2 or identity is None:
        return None
    # the mean over W gives z^h
    h, w = branches
    if h['over'] == 'h' or w['over'] == 'w':
        h, w = w, h
    if (h['over'] == 'h' or w['over'] == 'w'
            or h['activation'] != w['activation']
            or h['values'] != w['values']):
        return None
    mul1 = graph.only_consumer(identity)
    if mul1 is None or not is_mul(layers[mul1]):
        return None
    gates = {h['gate'], w['gate']}
    first_gate = set(layers[mul1].bottoms) - {identity}
    if len(first_gate) != 1 or not first_gate <= gates:
        return None
    mul2 = graph.only_consumer(layers[mul1].tops[0])
    if mul2 is None or not is_mul(layers[mul2]) or set(
            layers[mul2].bottoms) != {layers[mul1].tops[0]} | (
                gates - first_gate):
        return None
    if any(graph.only_consumer(b['gate']) not in (mul1, mul2)
           for b in branches):
        return None
    block = sorted([split, mul1, mul2, *h['chain'], *w['chain']])
    convs = sorted([h['squeeze'], w['squeeze'], h['excite'], w['excite']])
    # the .bin holds the block's weights together: nothing outside the
    # block may read weights from between them
    if any(layers[i].type not in WEIGHTLESS and i not in block
           for i in range(convs[0], mul2)):
        return None
    roles = {h['squeeze']: MID_H, w['squeeze']: MID_W,
             h['excite']: GATE_H, w['excite']: GATE_W}
    squeeze = layers[h['squeeze']]
    channels = squeeze.int_param('6') // squeeze.int_param('0')
    mid = squeeze.int_param('0')
    if any(layers[b['excite']].int_param('0') != channels
           or layers[b['excite']].int_param('6') != channels * mid
           or layers[b['squeeze']].int_param('0') != mid
           for b in branches):
        return None
    a, b = (h['values'] + [0.0, 0.0])[:2]
    params = {'0': str(channels), '1': str(mid), '2': str(h['activation']),
              '3': repr(a), '4': repr(b)}
    for k, conv in enumerate(convs):
        params[str(5 + k)] = str(roles[conv])
    fused = Layer(LAYER_TYPE, s.name.replace('splitncnn', 'coordattention'),
                  [s.bottoms[0]], [layers[mul2].tops[0]], params)
    return block, fused


def is_mul(layer: Layer) -> bool:
    return (layer.type == 'BinaryOp' and layer.params.get('0') == MUL
            and len(layer.bottoms) == 2
            and layer.int_param('1', 0) == 0)


def fuse_coord_attention(param_path: str) -> int:
    """Rewrite every CoordAttention block of the ``.param`` at
    ``param_path`` (beside its ``.bin``) into one ``CoordAttention`` layer,
    in place; how many such layers the file holds (so a second call
    changes nothing and returns the same)."""
    layers = read_param(param_path)
    graph = Graph(layers)
    replaced: Dict[int, Optional[Layer]] = {}
    for index, layer in enumerate(layers):
        if layer.type != 'Split':
            continue
        match = match_block(graph, index)
        if match is None:
            continue
        block, fused = match
        for i in block:
            replaced[i] = None
        # at the block's last layer: after everything it reads, and after
        # every weight before its own in the .bin
        replaced[block[-1]] = fused
    if not replaced:
        return fused_layers(layers)
    rewritten = [replaced.get(i, layer) for i, layer in enumerate(layers)
                 if replaced.get(i, layer) is not None]
    write_param(rewritten, param_path)
    return fused_layers(rewritten)


def fused_layers(layers: List[Layer]) -> int:
    return sum(layer.type == LAYER_TYPE for layer in layers)


def count_fused_layers(param_path: str) -> int:
    """How many ``CoordAttention`` layers the ``.param`` holds."""
    if not osp.isfile(param_path):
        return 0
    return fused_layers(read_param(param_path))
