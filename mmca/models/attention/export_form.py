r"""How a :class:`~mmca.models.CoordAttention` block is written into an
exported graph.

The maths is fixed, :math:`y = x \, g^h \, g^w` (or one gate, or the
softmax combination: the block's options); what a runtime makes of it is
not. Each inference runtime fuses and lays out different operator
patterns, so the same block costs it more or less depending on which
standard operators spell it (docs/deployment.md measures each runtime).
The three choices, each exact:

- ``pool``, the strip means :math:`z^h` (N, C, H, 1) and :math:`z^w`
  (N, C, 1, W): ``'mean'`` (``ReduceMean`` over W and over H, for any input
  size) or ``'avgpool'`` (``AveragePool`` with kernels (1, W) and (H, 1),
  fixed to the export size; ONNX Runtime keeps it in its blocked NCHWc
  layout, where it keeps no ``ReduceMean``).
- ``gate``, how x meets the gates :math:`g^h` (N, C, H, 1) and :math:`g^w`
  (N, C, 1, W): ``'outer'`` (their outer product, then one same-shape
  ``Mul`` with x), ``'broadcast'`` (``x * g^h * g^w``, two broadcasting
  ``Mul`` as in the released block) or ``'resize'`` (both gates brought to
  (H, W) by nearest ``Resize``, then two same-shape ``Mul``: the only form
  whose every op ONNX Runtime keeps in NCHWc; fixed to the export size).
  With one direction x is multiplied by its one gate (resized first by
  ``'resize'``); ``combine='softmax'`` forms its (N, C, H, W) gate from the
  two logit strips by broadcasting, or from logits resized to (H, W) by
  ``'resize'``. Every option exports in every form.
- ``mid_multiple``: the mid width :math:`M` padded with zero channels to a
  multiple of this. ONNX Runtime runs a 1x1 convolution in NCHWc only when
  its channels are a multiple of the block (8 with AVX2, 16 with AVX-512);
  :math:`M = \max(8, C / 32)` is often not (12, 18, 30 in MobileNetV2).
  The padded rows of :math:`F_1` (BN folded in) are zero, so are the
  padded columns of :math:`F_h` and :math:`F_w`: outputs are unchanged.
- ``fused``: after the export, each block's operators are replaced by one
  layer of mmca's own that computes the block in two passes over x
  (ncnn's ``CoordAttention``, ``mmca/ops/ncnn``). The block is traced
  with the ``broadcast`` gate for this, in either pool form; the layer
  itself takes any input size. Only runtimes with such a layer offer it
  (``Backend.fuses_attention``).
"""
from dataclasses import dataclass

POOLS = ('mean', 'avgpool')
GATES = ('outer', 'broadcast', 'resize')


@dataclass(frozen=True)
class CAExportForm:
    """One spelling of the CA block in standard operators (module doc)."""

    pool: str = 'mean'
    gate: str = 'outer'
    mid_multiple: int = 1
    fused: bool = False

    def __post_init__(self) -> None:
        if self.pool not in POOLS:
            raise ValueError(f'pool must be one of {POOLS}, got {self.pool!r}')
        if self.gate not in GATES:
            raise ValueError(f'gate must be one of {GATES}, got {self.gate!r}')
        if self.mid_multiple < 1:
            raise ValueError('mid_multiple must be at least 1')
        if self.fused and self.gate != 'broadcast':
            raise ValueError('a fused block is traced with the broadcast '
                             f'gate, not {self.gate!r}')

    @classmethod
    def parse(cls, text: str) -> 'CAExportForm':
        """A form from ``POOL:GATE[:M][:fused]``, e.g. ``mean:outer``,
        ``avgpool:resize:16``, ``avgpool:broadcast:fused``.

        Raises:
            ValueError: the text names no form (message: what is wrong).
        """
        parts = text.split(':')
        fused = parts[-1] == 'fused'
        if fused:
            parts.pop()
        if len(parts) not in (2, 3) or (len(parts) == 3
                                        and not parts[2].isdigit()):
            raise ValueError(f'{text!r}: expected POOL:GATE[:M][:fused], '
                             'e.g. mean:outer or avgpool:broadcast:fused')
        multiple = int(parts[2]) if len(parts) == 3 else 1
        return cls(parts[0], parts[1], multiple, fused)

    @property
    def static(self) -> bool:
        """Whether the graph is fixed to the input size it was exported at."""
        return self.pool == 'avgpool' or self.gate == 'resize'

    def __str__(self) -> str:
        pad = f', mid to x{self.mid_multiple}' if self.mid_multiple > 1 else ''
        if self.fused:
            return f'one fused layer per block (traced as {self.pool} ' \
                   f'strips, {self.gate} gate{pad})'
        return f'{self.pool} strips, {self.gate} gate{pad}'
