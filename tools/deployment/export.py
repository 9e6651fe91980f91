r"""Export a config's model (or its backbone) to an inference runtime, run
it there and check it against PyTorch.

  python tools/deployment/export.py CONFIG [CKPT] --backend openvino \
      --out work_dirs/deploy/ssdlite_mbv2_ca.xml [--shape H W] [--static-shape]

Backends: onnxruntime (.onnx), openvino (.xml + .bin), ncnn (.param + .bin,
batch 1), mnn (.mnn), tflite (.tflite, fixed size). Each export writes the
CA blocks in the form that runs fastest in that runtime
(docs/deployment.md). The graph ends at the raw network outputs: SSDLite's
class scores and box deltas per level, DeepLabV3's logits, a classifier's
scores; box decoding and NMS, and the logits' resize, stay in Python.
The result is run in its runtime at the export shape (and at another batch
size and size where the graph takes them) and compared with PyTorch; the
max abs difference must be at most --tolerance.
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction

from mmca.apis import config_input_size, load_inference_model
from mmca.cli import load_config, run_tool
from mmca.deployment import (BACKENDS, DeploymentCheckError, TensorOutputs,
                             deploy)
from mmca.models.attention.export_form import CAExportForm
from mmca.utils import InputError


def parse_args(default_backend: str = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', nargs='?',
                        help='weights (default: the config\'s init)')
    parser.add_argument('--backend', choices=sorted(BACKENDS),
                        default=default_backend,
                        required=default_backend is None)
    parser.add_argument('--out', required=True, help='the model file')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='export input size (default: the config\'s '
                        'test resize)')
    parser.add_argument('--static-shape', action='store_true',
                        help='fix the graph to --shape, in the CA form the '
                        'runtime runs fastest at one size')
    parser.add_argument('--ca-form', metavar='POOL:GATE[:M][:fused]',
                        help='write CA in this form instead of the '
                        'runtime\'s own (mmca/models/attention/export_form'
                        '.py); e.g. ncnn\'s stock layers, for an ncnn '
                        'application without mmca\'s layer: '
                        'avgpool:broadcast')
    parser.add_argument('--backbone-only', action='store_true',
                        help='export the backbone\'s feature maps')
    parser.add_argument('--tolerance', type=float, default=1e-4)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    return parser.parse_args()


def main(default_backend: str = None) -> None:
    args = parse_args(default_backend)
    backend = BACKENDS[args.backend]
    if not args.out.endswith(backend.suffix):
        raise InputError(f'--out {args.out}: a {args.backend} model is a '
                         f'{backend.suffix} file')
    # BackendUnavailable is an InputError: one line
    backend.check_available()
    try:
        form = args.ca_form and CAExportForm.parse(args.ca_form)
    except ValueError as err:
        raise InputError(f'--ca-form {err}') from None
    if form and form.fused and not backend.fuses_attention:
        raise InputError(f'--ca-form {args.ca_form}: {args.backend} has no '
                         'fused CA layer; drop ":fused"')
    cfg = load_config(args.config, args.cfg_options)
    model = load_inference_model(cfg, args.checkpoint or None)
    h, w = args.shape or config_input_size(cfg)
    wrapped = TensorOutputs(model, backbone_only=args.backbone_only).eval()
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    try:
        for line in deploy(wrapped, backend, args.out, (1, 3, h, w),
                           args.static_shape, args.tolerance, form or None):
            print(line)
    except DeploymentCheckError as err:
        raise SystemExit(f'error: {err}')


if __name__ == '__main__':
    run_tool(main)
