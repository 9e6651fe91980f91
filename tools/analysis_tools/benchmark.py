r"""Latency and throughput side by side, as ratios from one run.

  # the CA block alone: ours against the paper's and timm's formulations
  # and the memory-traffic floor (eval), and against the paper's in training
  python tools/analysis_tools/benchmark.py block [--train] [--channels-last]

  # each C++ kernel against the plain ATen calls it replaces
  python tools/analysis_tools/benchmark.py kernels [--channels-last]

  # a config's update step (optimizer, EMA) as mmca.engine.optim does it
  # against mmengine's and mmdet's
  python tools/analysis_tools/benchmark.py update-step \
      configs/demo/ssdlite_mbv2_ca_shapes.py [--channels-last]

  # a config's model against its baseline (raw network outputs), in PyTorch
  # or exported to an inference runtime (as tools/deployment/export.py) and
  # run there
  python tools/analysis_tools/benchmark.py model \
      configs/ssdlite_mbv2_ca_coco.py \
      configs/ssdlite_mbv2_coco.py [--shape H W] [--batch-sizes 1 8] \
      [--backend {pytorch,onnxruntime,openvino,ncnn,mnn,tflite}] \
      [--static-shape] [--profile]

Candidates run interleaved, after warm-up, in --rounds rounds of --repeats
calls, every other round in reverse order; each time is a median over
rounds and each ratio a median over pairs of rounds, so ratios hold on a
loaded machine where absolute times do not. A table is printed; JSON and a
PNG plot go to --out-dir (default work_dirs/benchmark).
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import DictAction

from mmca.apis import build_inference_model, config_input_size
from mmca.benchmark import (BLOCK_SHAPES, benchmark_block_eval,
                            benchmark_block_train, benchmark_in_runtime,
                            benchmark_kernels, benchmark_models,
                            benchmark_update_step, block_eval_table,
                            block_train_table, int8_name, int8_table,
                            kernels_table, models_table, plot_block,
                            plot_models, profiles_table, update_step_table)
from mmca.cli import load_config, run_tool
from mmca.deployment import BACKENDS, QuantizationOptions
from mmca.models.attention.export_form import CAExportForm
from mmca.ops import load_ops
from mmca.utils import InputError, keep_freed_host_memory


def parse_shape(text: str) -> tuple:
    try:
        shape = tuple(int(v) for v in text.lower().split('x'))
    except ValueError:
        shape = ()
    if len(shape) != 4:
        raise argparse.ArgumentTypeError(f'{text!r}: expected NxCxHxW')
    return shape


def parse_form(text: str) -> CAExportForm:
    try:
        return CAExportForm.parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err))


def parse_args() -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--rounds', type=int, default=16)
    common.add_argument('--repeats', type=int, default=5)
    common.add_argument('--warmup', type=int, default=3)
    common.add_argument('--channels-last', action='store_true',
                        help='inputs (and models) in channels-last layout')
    common.add_argument('--out-dir', default='work_dirs/benchmark')
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest='target', required=True)
    block = sub.add_parser('block', parents=[common],
                           help='the CA block alone')
    block.add_argument('--shapes', type=parse_shape, nargs='+',
                       default=BLOCK_SHAPES, metavar='NxCxHxW')
    block.add_argument('--train', action='store_true',
                       help='forward + backward in train mode, after the '
                       'depthwise conv\'s ReLU6, and saved activation '
                       'memory, against the paper\'s formulation')
    kernels = sub.add_parser('kernels', parents=[common],
                             help='each C++ kernel vs its plain ATen form')
    kernels.add_argument('--shapes', type=parse_shape, nargs='+',
                         default=BLOCK_SHAPES, metavar='NxCxHxW')
    update = sub.add_parser('update-step', parents=[common],
                            help='the optimizer step and EMA update, ours '
                            'vs mmengine\'s and mmdet\'s')
    update.add_argument('config', help='training config')
    model = sub.add_parser('model', parents=[common],
                           help='a config\'s model vs a baseline')
    model.add_argument('config', help='model config')
    model.add_argument('baseline', help='baseline model config')
    model.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                       help='input size (default: the config\'s test resize)')
    model.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 8])
    model.add_argument('--backend', choices=['pytorch', *sorted(BACKENDS)],
                       default='pytorch',
                       help='a runtime: export both models as '
                       'tools/deployment/export.py does and time them there, '
                       'on the CPU; ncnn and tflite at batch 1 only')
    model.add_argument('--static-shape', action='store_true',
                       help='export both fixed to --shape, in the CA form '
                       'the runtime runs fastest at one size')
    model.add_argument('--ca-form', type=parse_form,
                       metavar='POOL:GATE[:M][:fused]',
                       help='export CA in this form instead of the '
                       'runtime\'s own, e.g. avgpool:resize:16 (pool: mean '
                       'or avgpool; gate: outer, broadcast or resize; mid '
                       'width padded to a multiple of M, 1 by default; '
                       'fused: one layer of mmca\'s per block, ncnn only)')
    model.add_argument('--threads', type=int, default=0,
                       help='a runtime\'s intra-op threads (0: its choice)')
    model.add_argument('--profile', action='store_true',
                       help='also print both models\' time per operator '
                       'type at the first batch size, from the runtime\'s '
                       'own profiler (onnxruntime, openvino, mnn)')
    model.add_argument('--int8', action='store_true',
                       help='with a --backend that quantizes (onnxruntime, '
                       'openvino): also quantize both exports to INT8 and '
                       'time the four side by side')
    model.add_argument('--fp32-gates', action='store_true',
                       help='with --int8: keep CA\'s gating in float, as '
                       'tools/deployment/quantize.py --fp32-gates')
    model.add_argument('--cfg-options', nargs='+', action=DictAction,
                       help='override keys of both configs, xxx=yyy')
    return parser.parse_args()


def note_passive_openmp(backend: str) -> None:
    """Say so when OMP_WAIT_POLICY=PASSIVE slows the runtime timed.

    With it, an OpenMP runtime's threads sleep after every layer and wake
    for the next, which costs a model of many small layers most: ncnn's
    SSDLite320 took 34 ms instead of 15 at 2 threads, CA 1.75x its baseline
    instead of 1.21x (docs/deployment.md). A deployment runs the default.
    """
    openmp = backend == 'pytorch' or BACKENDS[backend].openmp
    if openmp and os.environ.get('OMP_WAIT_POLICY', '').upper() == 'PASSIVE':
        print(f'NOTE: OMP_WAIT_POLICY=PASSIVE makes {backend}\'s threads '
              'sleep between layers, which slows a model of many small '
              'layers most; unset it to time as deployed')


def main() -> None:
    args = parse_args()
    # As in training and testing: big CPU tensors stay mapped between calls.
    keep_freed_host_memory()
    timing = dict(rounds=args.rounds, repeats=args.repeats,
                  warmup=args.warmup)
    os.makedirs(args.out_dir, exist_ok=True)
    if args.target == 'block':
        fused = load_ops()
        bench = benchmark_block_train if args.train else benchmark_block_eval
        rows = [bench(s, args.channels_last, **timing) for s in args.shapes]
        if not fused:
            print('NOTE: compiled ops unavailable; ours ran on plain PyTorch')
        print((block_train_table if args.train else block_eval_table)(rows))
        stem = 'ca_block_' + ('train' if args.train else 'eval') + (
            '_nhwc' if args.channels_last else '')
        result = dict(target='block', train=args.train, rows=rows)
        plot_block(rows, osp.join(args.out_dir, stem + '.png'), args.train)
    elif args.target == 'kernels':
        if not load_ops():
            raise InputError('the compiled ops are unavailable (see the '
                             'warning above); build them with '
                             'tools/install.sh')
        rows = [benchmark_kernels(s, args.channels_last, **timing)
                for s in args.shapes]
        print(kernels_table(rows))
        stem = 'kernels' + ('_nhwc' if args.channels_last else '')
        result = dict(target='kernels', rows=rows)
    elif args.target == 'update-step':
        result = dict(target='update-step', **benchmark_update_step(
            load_config(args.config), args.channels_last, **timing))
        print(update_step_table(result))
        stem = 'update_step_' + osp.splitext(osp.basename(args.config))[0]
    else:
        names = [args.config, args.baseline]
        cfgs = [load_config(n, args.cfg_options) for n in names]
        shape = tuple(args.shape or config_input_size(cfgs[0]))
        models = {n: build_inference_model(c) for n, c in zip(names, cfgs)}
        stem = '{}_vs_{}'.format(*(osp.splitext(osp.basename(n))[0]
                                   for n in names))
        profile = None
        note_passive_openmp(args.backend)
        if args.backend != 'pytorch':
            run = benchmark_in_runtime(
                models, args.baseline, args.backend, shape, args.batch_sizes,
                args.static_shape, args.ca_form, args.threads, args.profile,
                args.out_dir,
                QuantizationOptions(fp32_gates=args.fp32_gates)
                if args.int8 else None, **timing)
            batches, static, form = (run['batches'], run['static_shape'],
                                     run['ca_form'])
            stem += f'_{args.backend}' + ('_static' if static else '') + (
                '_int8' if args.int8 else '')
            if args.ca_form:
                stem += f'_{form.pool}-{form.gate}-{form.mid_multiple}' + (
                    '-fused' if form.fused else '')
            profile = run.get('profile')
            if args.profile and profile is None:
                print(f'NOTE: {args.backend} has no per-operator '
                      'profiler that Python reaches (docs/deployment.md)')
        else:
            if args.int8:
                raise InputError('--int8 needs a --backend that quantizes '
                                 '(onnxruntime, openvino)')
            static, form = False, None
            batches = benchmark_models(models, args.baseline, shape,
                                       args.batch_sizes, args.channels_last,
                                       **timing)
        result = dict(target='model', backend=args.backend, models=names,
                      input_shape=shape, channels_last=args.channels_last,
                      static_shape=static,
                      ca_form=None if form is None else str(form),
                      batches=batches)
        fixed = ', fixed size' if static else ''
        print(f'{args.backend}, input 3x{shape[0]}x{shape[1]}{fixed}' +
              ('' if form is None else f', CA as {form}'))
        print(models_table(result, names))
        if args.int8:
            print()
            print(int8_table(result, names))
        if profile:
            result['profile'] = profile
            print()
            print(profiles_table(
                {n: profile[n] for n in names}, names, profile['batch'],
                args.backend))
        plotted = names + ([int8_name(n) for n in names] if args.int8 else [])
        plot_models(result, plotted, osp.join(args.out_dir, stem + '.png'))
    with open(osp.join(args.out_dir, stem + '.json'), 'w') as f:
        json.dump(result, f, indent=2)
    written = ('.json' if args.target in ('kernels', 'update-step') else
               '.json and .png')
    print(f'\nwrote {osp.join(args.out_dir, stem)}{written}')


if __name__ == '__main__':
    run_tool(main)
