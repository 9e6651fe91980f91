r"""The gates every attention layer of a model applies to one image, drawn.

The gates are those the layers multiplied by in one whole prediction, under
:func:`mmca.models.attention.record_gates`, on whichever path it took (the
compiled CPU op, plain PyTorch, a GPU). The figure has one row per
attention layer, in call order:

- CoordAttention: the map :math:`g^h_c(i) g^w_c(j)` averaged over the
  channels c, then the ``top_k`` most selective channels: those whose map
  has the largest spread (max - min over the image), i.e. whose weight
  depends most on where it is;
- CBAM: its spatial map :math:`g^s(i, j)`, then its channel weights;
- SqueezeExcitation: its channel weights (it has no spatial map).

Maps lie over a grayscale copy of the image as the network saw it (resized
and padded), at the layer's resolution (:mod:`.map_over_image`). A row's
maps share one colour scale, from the smallest to the largest gate among
them, with its colorbar at the row's end; each panel's title gives its own
range.

The grid of maps, bars and titles is a matplotlib figure of its own rather
than mmengine's ``Visualizer``, which draws on one image; like that
visualizer, it renders through the Agg canvas without pyplot, so drawing
sets no process-wide backend.
"""
import os
import os.path as osp
from typing import List, NamedTuple

import numpy as np
import torch
import torch.nn as nn
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mmca.models.attention import GateRecord, record_gates
from .map_over_image import (add_colorbar, draw_map_over_image, grayscale,
                             value_range)

#: Each panel is CELL_INCHES square at DPI: the PNG is a whole number of
#: CELL_PIXELS cells, one row per layer, and a colorbar column.
CELL_INCHES, DPI = 2.4, 100
CELL_PIXELS = round(CELL_INCHES * DPI)
COLORBAR_INCHES = 0.8
COLORBAR_PIXELS = round(COLORBAR_INCHES * DPI)
TITLE_INCHES = 0.4
#: The paper's names of the gates mmca's attentions report.
SYMBOLS = {'gate_h': '$g^h$', 'gate_w': '$g^w$', 'channel': '$g^c$',
           'spatial': '$g^s$'}


class Panel(NamedTuple):
    """One cell of the figure: a map over the image or channel bars."""
    title: str
    values: np.ndarray      # a (H, W) map, or (C, ) channel weights


def predicted_gates(model: nn.Module, batch: dict) -> List[GateRecord]:
    """The gates each attention layer applied in ``model``'s prediction of
    ``batch`` (as :func:`mmca.apis.load_test_image` gives it), one record
    per call, in call order."""
    with torch.no_grad(), record_gates(model) as records:
        model(**batch, mode='predict')
    return records


def spread(maps: torch.Tensor) -> torch.Tensor:
    """Max - min over the positions of each (C, H, W) channel map: (C, )."""
    flat = maps.flatten(1)
    return flat.amax(1) - flat.amin(1)


def gate_panels(record: GateRecord, top_k: int) -> List[Panel]:
    """What one layer's row shows, from its gates of the first image.

    (C, 1, 1) gates are channel weights, drawn as bars; the others
    multiply into a map, per channel (CA's :math:`g^h \\otimes g^w`) or
    shared by all channels (CBAM's :math:`g^s`).
    """
    gates = {name: gate[0].float().cpu()
             for name, gate in record.gates.items()}
    per_channel = {n: g for n, g in gates.items()
                   if g.shape[1:] == (1, 1) and len(g) > 1}
    spatial = {n: g for n, g in gates.items() if n not in per_channel}
    symbol = ' $\\otimes$ '.join(SYMBOLS.get(n, n) for n in spatial)
    rows = []
    if spatial:
        maps = torch.ones(1, 1, 1)
        for gate in spatial.values():
            maps = maps * gate                    # (C or 1, H, W)
        if len(maps) == 1:
            rows.append(Panel(symbol, maps[0].numpy()))
        else:
            rows.append(Panel(f'{symbol}, mean over {len(maps)} ch',
                              maps.mean(0).numpy()))
            selective = spread(maps).topk(min(top_k, len(maps)))
            for value, channel in zip(*selective):
                rows.append(Panel(f'{symbol}, ch {int(channel)} (spread '
                                  f'{value:.2g})', maps[channel].numpy()))
    if per_channel:
        weights = torch.ones(1, 1, 1)
        for gate in per_channel.values():
            weights = weights * gate
        names = ' $\\cdot$ '.join(SYMBOLS.get(n, n) for n in per_channel)
        rows.append(Panel(f'channel weights {names}',
                          weights.flatten().numpy()))
    return rows


def layer_label(record: GateRecord) -> str:
    """``layer2.0`` for ``backbone.layer2.0.attention``, with its type."""
    name = record.name
    name = name[len('backbone.'):] if name.startswith('backbone.') else name
    name = name.rsplit('.', 1)[0] if name.endswith('.attention') else name
    return f'{name}\n{type(record.module).__name__}'


def attention_figure(records: List[GateRecord], image: np.ndarray,
                     title: str, top_k: int = 3) -> Figure:
    """The panels of every recorded layer, one row a layer.

    Args:
        records (list[GateRecord]): As :func:`predicted_gates` gives them;
            at least one.
        image (ndarray): (H, W, 3) uint8 RGB, the image as the network saw
            it (:func:`mmca.apis.load_test_image`); the maps lie over its
            grayscale copy.
        title (str): The figure's title.
        top_k (int): CA: the most selective channels drawn per layer.

    Returns:
        Figure: ``len(records)`` rows of :data:`CELL_INCHES` square panels
        and, on the right, a colorbar column of :data:`COLORBAR_INCHES`:
        one colour scale a row, spanning the row's maps (the title of each
        panel gives its own range).
    """
    rows = [gate_panels(record, top_k) for record in records]
    columns = max(len(row) for row in rows)
    fig = Figure(dpi=DPI, figsize=(columns * CELL_INCHES + COLORBAR_INCHES,
                                   len(rows) * CELL_INCHES))
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(
        len(rows), columns + 1,
        width_ratios=[CELL_INCHES] * columns + [COLORBAR_INCHES / 4])
    gray = grayscale(image)
    for index, (row, record) in enumerate(zip(rows, records)):
        maps = [panel.values for panel in row if panel.values.ndim == 2]
        low, high = value_range(*maps) if maps else (0, 1)
        for column in range(columns):
            ax = fig.add_subplot(grid[index, column])
            if column >= len(row):
                ax.axis('off')
                continue
            panel = row[column]
            if panel.values.ndim == 2:
                artist = draw_map_over_image(ax, gray, panel.values, low,
                                             high)
            else:
                ax.stairs(panel.values, fill=True)   # one bar a channel
                ax.set_ylim(0, 1)
                ax.set_xlabel('channel', fontsize=6)
                ax.tick_params(labelsize=6)
            ax.set_title(f'{panel.title}\n[{panel.values.min():.3g}, '
                         f'{panel.values.max():.3g}]', fontsize=6)
            if column == 0:
                ax.set_ylabel(layer_label(record), fontsize=7)
        cax = fig.add_subplot(grid[index, columns])
        if maps:
            add_colorbar(fig, cax, artist, "gate (this row's scale)")
        else:
            cax.axis('off')
    # a band of TITLE_INCHES at the top for the title
    top = 1 - TITLE_INCHES / (len(rows) * CELL_INCHES)
    fig.tight_layout(rect=(0, 0, 1, top))
    fig.suptitle(title, fontsize=7, y=(1 + top) / 2, va='center')
    return fig


def draw_attention_panels(records: List[GateRecord], image: np.ndarray,
                          title: str, out: str, top_k: int = 3) -> int:
    """:func:`attention_figure` as a PNG.

    Args:
        records, image, title, top_k: As :func:`attention_figure`.
        out (str): The PNG to write; its folder is made if missing.

    Returns:
        int: The number of panel columns. The PNG is ``len(records)``
        :data:`CELL_PIXELS` high and that many :data:`CELL_PIXELS` plus
        :data:`COLORBAR_PIXELS` wide.
    """
    fig = attention_figure(records, image, title, top_k)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=DPI)
    return fig.axes[0].get_gridspec().ncols - 1     # less the colorbars'
