r"""Quantize a config's model to INT8 for an inference runtime, calibrated on
images read through the config's test pipeline.

  python tools/deployment/quantize.py CONFIG CKPT --backend onnxruntime \
      --out work_dirs/deploy/ssdlite_mbv2_ca_int8.onnx --calib-images 64 \
      [--calib-data DIR] [--calib-method minmax] [--fp32-gates] \
      [--static-shape]

Backends: onnxruntime (its static QDQ quantization, weights per channel)
and openvino (NNCF). The model is exported in fp32 as
tools/deployment/export.py does, then quantized by the runtime's own
post-training quantizer; activation ranges come from --calib-images images,
spread over the config's val set or over the images in --calib-data (a
folder, annotations not needed). Evaluate the result with
``tools/test.py CONFIG MODEL_FILE --backend ...``.
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction

from mmca.apis import load_inference_model
from mmca.cli import load_config, run_tool
from mmca.deployment import (BACKENDS, CALIBRATION_METHODS,
                             QuantizationOptions, QuantizationUnavailable,
                             TensorOutputs, calibration_inputs, quantize)
from mmca.utils import InputError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='trained weights')
    parser.add_argument('--backend', required=True, choices=sorted(BACKENDS))
    parser.add_argument('--out', required=True, help='the INT8 model file')
    parser.add_argument('--calib-images', type=int, default=64,
                        help='how many images calibrate the ranges')
    parser.add_argument('--calib-data', metavar='DIR',
                        help='a folder of images to calibrate on (default: '
                        'the config\'s val set)')
    parser.add_argument('--calib-method', choices=CALIBRATION_METHODS,
                        default='minmax')
    parser.add_argument('--fp32-gates', action='store_true',
                        help='keep CA\'s sigmoid gates and their product '
                        'with x in float')
    parser.add_argument('--static-shape', action='store_true',
                        help='fix the graph to the calibration images\' '
                        'size, in the CA form the runtime runs fastest at '
                        'one size')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    backend = BACKENDS[args.backend]
    options = QuantizationOptions(args.calib_method, args.fp32_gates)
    try:
        backend.check_quantization(options)
    except QuantizationUnavailable as err:
        raise InputError(str(err)) from None
    if not args.out.endswith(backend.suffix):
        raise InputError(f'--out {args.out}: a {args.backend} model is a '
                         f'{backend.suffix} file')
    # BackendUnavailable is an InputError: one line
    backend.check_available()
    cfg = load_config(args.config, args.cfg_options)
    model = load_inference_model(cfg, args.checkpoint)
    inputs = calibration_inputs(cfg, model, args.calib_images,
                                args.calib_data)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    lines = quantize(TensorOutputs(model).eval(), backend, args.out, inputs,
                     args.static_shape, options)
    for line in lines:
        print(line)


if __name__ == '__main__':
    run_tool(main)
