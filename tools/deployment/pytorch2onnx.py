"""Export a config's model (or its backbone) to ONNX and check it.

  python tools/deployment/pytorch2onnx.py configs/ssdlite_mbv2_ca_coco.py \
      [CKPT] --out work_dirs/onnx/ssdlite_mbv2_ca.onnx [--shape H W]
      [--backbone-only]

The graph has dynamic batch, height and width and ends at the raw network
outputs: SSDLite's class scores and box deltas per level, DeepLabV3's
logits. Box decoding, softmax and NMS, and the logits' resize to the image,
stay in Python (mmdet's ``predict_by_feat``, mmseg's ``predict``).
onnxruntime is then run at the export shape and at a second shape (another
batch size and size) and compared with PyTorch; the max abs difference must
be at most --tolerance.
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction

from mmca.apis import (config_input_size, load_config, load_inference_model,
                       run_tool)
from mmca.deployment import (TensorOutputs, compare_with_onnxruntime,
                             export_onnx, unsupported_nodes)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', nargs='?',
                        help='weights (default: the config\'s init)')
    parser.add_argument('--out', required=True, help='the .onnx file')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='export input size (default: the config\'s '
                        'test resize)')
    parser.add_argument('--backbone-only', action='store_true',
                        help='export the backbone\'s feature maps')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument('--tolerance', type=float, default=1e-4)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    model = load_inference_model(cfg, args.checkpoint or None)
    h, w = args.shape or config_input_size(cfg)
    wrapped = TensorOutputs(model, backbone_only=args.backbone_only).eval()

    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    names = export_onnx(wrapped, args.out, (1, 3, h, w), args.opset)
    print(f'exported {args.out}: input (batch, 3, height, width), '
          f'{len(names)} outputs, opset {args.opset}')
    bad = unsupported_nodes(args.out)
    if bad:
        raise SystemExit(f'error: fixed-size or non-ONNX ops in the graph: '
                         f'{", ".join(bad)}')
    print('no fixed-size pooling or ATen fallback ops in the graph')
    # A second batch size and size checks that the axes are really dynamic.
    diffs = compare_with_onnxruntime(
        wrapped, args.out, [(1, 3, h, w), (2, 3, h + 32, w - 32)])
    for shape, diff in diffs.items():
        print(f'onnxruntime vs PyTorch at {shape}: max abs diff '
              f'{diff["max_abs_diff"]:.2e} (outputs up to '
              f'{diff["max_abs_output"]:.3g})')
    worst = max(d['max_abs_diff'] for d in diffs.values())
    if worst > args.tolerance:
        raise SystemExit(f'error: max abs diff {worst:.2e} exceeds '
                         f'--tolerance {args.tolerance:.0e}')
    print(f'ok: within {args.tolerance:.0e}')


if __name__ == '__main__':
    run_tool(main)
