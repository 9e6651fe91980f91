r"""Params and MAdds of a config's model, of a named backbone, or the paper
table.

  python tools/analysis_tools/get_flops.py configs/ssdlite_mbv2_ca_coco.py
  python tools/analysis_tools/get_flops.py --backbone MobileNetV2CA \
      --attention CBAM
  python tools/analysis_tools/get_flops.py --backbone EfficientNetB0CA \
      --attention own
  python tools/analysis_tools/get_flops.py --paper-table

A named backbone is counted in its ImageNet form at 224x224 (global pooling
and a 1000-way linear layer, MobileNetV3's hidden 1x1 conv between them),
as the paper counts it. The paper table adds MobileNetV3-Large, -Small and
EfficientNet-B0 without attention, with their own SE and with CA in its
places, which the paper does not list.
"""
import argparse

from mmengine.config import DictAction

from mmca.apis import build_inference_model, config_input_size
from mmca.cli import load_config, run_tool
from mmca.utils import InputError
from mmca.utils.complexity import (OWN_SE, PAPER_IMAGENET, SE_NETWORKS,
                                   complexity, imagenet_model)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '),
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument('config', nargs='?', help='model config file')
    target.add_argument('--backbone', help='MobileNetV2CA, MobileNeXtCA, '
                        f'{", ".join(SE_NETWORKS)}')
    target.add_argument('--paper-table', action='store_true',
                        help='the ImageNet models of the paper, beside it')
    parser.add_argument('--attention', default='CoordAttention',
                        help='with --backbone: an attention type, "none", '
                        'or "own" for the SE of MobileNetV3 or EfficientNet')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input size; default 224 224 for backbones, '
                        'else the test resize of the config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    return parser.parse_args()


def row(name: str, info: dict, paper=None) -> str:
    cells = [name, f'{info["params"] / 1e6:.3f}M',
             f'{info["madds"] / 1e6:.1f}M']
    if paper is not None:
        cells += ([f'{paper[0]}M', f'{paper[1]}M', f'{paper[2]}']
                  if paper else ['-'] * 3)
    return '| ' + ' | '.join(cells) + ' |'


def main() -> None:
    args = parse_args()
    if args.paper_table:
        print('| model | params | MAdds | paper params | paper MAdds | '
              'paper top-1 |\n|---|---|---|---|---|---|')
        for (backbone, attention), paper in PAPER_IMAGENET.items():
            name = backbone.replace('CA', '') + (
                f' + {attention}' if attention else '')
            print(row(name, complexity(imagenet_model(backbone, attention)),
                      paper))
        for backbone in SE_NETWORKS:
            for attention in (None, OWN_SE, 'CoordAttention'):
                name = backbone.replace('CA', '') + (
                    f' + {attention}' if attention else '')
                print(row(name,
                          complexity(imagenet_model(backbone, attention)),
                          ()))
        return
    if args.backbone:
        attention = {'none': None, 'own': OWN_SE}.get(
            args.attention.lower(), args.attention)
        try:
            model = imagenet_model(args.backbone, attention)
        except KeyError as err:    # an unknown backbone or attention name
            raise InputError(err.args[0]) from None
        shape = tuple(args.shape or (224, 224))
        name = (f'{args.backbone} ({attention or "no attention"}, '
                'ImageNet form)')
    else:
        cfg = load_config(args.config, args.cfg_options)
        model = build_inference_model(cfg)
        shape = tuple(args.shape or config_input_size(cfg))
        name = args.config
    info = complexity(model, (3, ) + shape)
    print(f'model: {name}\ninput: 3x{shape[0]}x{shape[1]}\n'
          f'params: {info["params"] / 1e6:.3f}M ({info["params"]:,})\n'
          f'MAdds: {info["madds"] / 1e6:.1f}M')


if __name__ == '__main__':
    run_tool(main)
