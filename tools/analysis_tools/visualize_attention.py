r"""Draw the gates every attention layer of a model applies to one image.

  python tools/analysis_tools/visualize_attention.py CONFIG CKPT IMG \
      --out work_dirs/attention.png [--top-k 3] [--device cpu]
      [--channels-last] [--cfg-options k=v ...]

CONFIG is a classification, detection or segmentation config. The image goes
through its test pipeline and the model's whole prediction, once, under
``mmca.models.attention.record_gates``: the gates drawn are those the
layers multiplied by in that forward pass, on whichever path it took (the
compiled CPU op, plain PyTorch, a GPU). One row per attention layer, in
call order:

- CoordAttention: the map :math:`g^h_c(i) g^w_c(j)` averaged over the
  channels c, then the --top-k most selective channels: those whose map
  has the largest spread (max - min over the image), i.e. whose weight
  depends most on where it is;
- CBAM: its spatial map :math:`g^s(i, j)`, then its channel weights;
- SqueezeExcitation: its channel weights (it has no spatial map).

Maps lie over the image as the network saw it (resized and padded), at the
layer's resolution, each on its own colour scale (range in the title).
"""
import argparse
import os
import os.path as osp
from typing import List, NamedTuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402

from mmca.apis import (InputError, check_task, load_config,  # noqa: E402
                       load_inference_model, load_test_image, run_tool)
from mmca.models.attention import GateRecord, record_gates  # noqa: E402

#: Each panel is CELL_INCHES square at DPI: the PNG is a whole number of
#: CELL_PIXELS cells, one row per layer.
CELL_INCHES, DPI = 2.4, 100
CELL_PIXELS = round(CELL_INCHES * DPI)
TITLE_INCHES = 0.4
#: The paper's names of the gates mmca's attentions report.
SYMBOLS = {'gate_h': '$g^h$', 'gate_w': '$g^w$', 'channel': '$g^c$',
           'spatial': '$g^s$'}


class Panel(NamedTuple):
    title: str
    values: np.ndarray      # a (H, W) map, or (C, ) channel weights


def spread(maps: torch.Tensor) -> torch.Tensor:
    """Max - min over the positions of each (C, H, W) channel map."""
    flat = maps.flatten(1)
    return flat.amax(1) - flat.amin(1)


def panels(record: GateRecord, top_k: int) -> List[Panel]:
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


def draw(rows: List[List[Panel]], labels: List[str], image: np.ndarray,
         title: str, out: str) -> int:
    """The grid of panels as a PNG; the number of columns."""
    columns = max(len(row) for row in rows)
    fig, axes = plt.subplots(
        len(rows), columns, squeeze=False, dpi=DPI,
        figsize=(columns * CELL_INCHES, len(rows) * CELL_INCHES))
    height, width = image.shape[:2]
    for row, label, row_axes in zip(rows, labels, axes):
        for panel, ax in zip(row, row_axes):
            if panel.values.ndim == 2:
                ax.imshow(image)
                ax.imshow(panel.values, cmap='jet', alpha=0.5,
                          interpolation='nearest',
                          extent=(0, width, height, 0))
                ax.set_xticks([])
                ax.set_yticks([])
            else:
                ax.stairs(panel.values, fill=True)   # one bar a channel
                ax.set_ylim(0, 1)
                ax.set_xlabel('channel', fontsize=6)
                ax.tick_params(labelsize=6)
            ax.set_title(f'{panel.title}\n[{panel.values.min():.3g}, '
                         f'{panel.values.max():.3g}]', fontsize=6)
        row_axes[0].set_ylabel(label, fontsize=7)
        for ax in row_axes[len(row):]:
            ax.axis('off')
    # a band of TITLE_INCHES at the top for the title
    top = 1 - TITLE_INCHES / (len(rows) * CELL_INCHES)
    fig.tight_layout(rect=(0, 0, 1, top))
    fig.suptitle(title, fontsize=7, y=(1 + top) / 2, va='center')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=DPI)
    plt.close(fig)
    return columns


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='its weights')
    parser.add_argument('img', help='an image file')
    parser.add_argument('--out', required=True, help='the .png to write')
    parser.add_argument('--top-k', type=int, default=3,
                        help='CA: most selective channels drawn per layer')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--channels-last', action='store_true',
                        help='run the network channels-last, as '
                        'ChannelsLastHook does')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.top_k < 0:
        raise InputError(f'--top-k must be 0 or more, got {args.top_k}')
    cfg = load_config(args.config, args.cfg_options)
    check_task(cfg, 'tools/analysis_tools/visualize_attention.py')
    model = load_inference_model(cfg, args.checkpoint, args.device)
    if args.channels_last:
        model.to(memory_format=torch.channels_last)
    batch, image = load_test_image(cfg, model, args.img)
    with torch.no_grad(), record_gates(model) as records:
        model(**batch, mode='predict')
    if not records:
        raise InputError(f'the model of {args.config} has no attention layer '
                         'that reports its gates (CoordAttention, '
                         'SqueezeExcitation, CBAM)')
    rows = [panels(record, args.top_k) for record in records]
    kinds = sorted({type(r.module).__name__ for r in records})
    columns = draw(rows, [layer_label(r) for r in records], image,
                   f'{osp.basename(args.config)}\non {osp.basename(args.img)}',
                   args.out)
    print(f'wrote {args.out}: {len(records)} attention layers '
          f'({", ".join(kinds)}) x {columns} panels')


if __name__ == '__main__':
    run_tool(main)
