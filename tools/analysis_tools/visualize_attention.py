r"""Draw the gates every attention layer of a model applies to one image.

  python tools/analysis_tools/visualize_attention.py CONFIG CKPT IMG \
      --out work_dirs/attention.png [--top-k 3] [--device cpu]
      [--channels-last] [--cfg-options k=v ...]

CONFIG is a classification, detection or segmentation config. The image goes
through its test pipeline and the model's whole prediction, once, under
``mmca.models.attention.record_gates``: the gates drawn are those the
layers multiplied by in that forward pass, on whichever path it took (the
compiled CPU op, plain PyTorch, a GPU). One row per attention layer, in
call order; what each row shows is in
:mod:`mmca.visualization.attention_panels` and docs/visualization.md.
"""
import argparse
import os.path as osp

import torch
from mmengine.config import DictAction

from mmca.apis import load_inference_model, load_test_image
from mmca.cli import load_config, run_tool
from mmca.preflight import check_task
from mmca.utils import InputError
from mmca.visualization import draw_attention_panels, predicted_gates


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
    records = predicted_gates(model, batch)
    if not records:
        raise InputError(f'the model of {args.config} has no attention layer '
                         'that reports its gates (CoordAttention, '
                         'SqueezeExcitation, CBAM)')
    kinds = sorted({type(r.module).__name__ for r in records})
    columns = draw_attention_panels(
        records, image,
        f'{osp.basename(args.config)}\non {osp.basename(args.img)}',
        args.out, args.top_k)
    print(f'wrote {args.out}: {len(records)} attention layers '
          f'({", ".join(kinds)}) x {columns} panels')


if __name__ == '__main__':
    run_tool(main)
