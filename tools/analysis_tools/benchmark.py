"""Latency and throughput side by side, as ratios from one run.

  # the CA block alone: ours against the paper's and timm's formulations
  # and the memory-traffic floor (eval), and against the paper's in training
  python tools/analysis_tools/benchmark.py block [--train] [--channels-last]

  # each C++ kernel against the plain ATen calls it replaces
  python tools/analysis_tools/benchmark.py kernels [--channels-last]

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
from typing import Dict, List

import matplotlib.pyplot as plt
from mmengine.config import DictAction

from mmca.apis import build_inference_model, config_input_size
from mmca.benchmark import (BLOCK_SHAPES, EVAL_GOALS, KERNELS, TRAIN_GOALS,
                            benchmark_block_eval, benchmark_block_train,
                            benchmark_deployed_models, benchmark_kernels,
                            benchmark_models)
from mmca.cli import load_config, run_tool
from mmca.deployment import (BACKENDS, BackendUnavailable, TensorOutputs,
                             compare_with_pytorch, export_to_backend)
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
        pool, gate, multiple = text.split(':')
        return CAExportForm(pool, gate, int(multiple))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f'{text!r}: {err}; expected '
                                         'POOL:GATE:M, e.g. mean:outer:1')


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
                       help='forward + backward in train mode, and saved '
                       'activation memory, against the paper\'s formulation')
    kernels = sub.add_parser('kernels', parents=[common],
                             help='each C++ kernel vs its plain ATen form')
    kernels.add_argument('--shapes', type=parse_shape, nargs='+',
                         default=BLOCK_SHAPES, metavar='NxCxHxW')
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
    model.add_argument('--ca-form', type=parse_form, metavar='POOL:GATE:M',
                       help='export CA in this form instead of the '
                       'runtime\'s own, e.g. avgpool:resize:16 (pool: mean '
                       'or avgpool; gate: outer, broadcast or resize; mid '
                       'width padded to a multiple of M)')
    model.add_argument('--threads', type=int, default=0,
                       help='a runtime\'s intra-op threads (0: its choice)')
    model.add_argument('--profile', action='store_true',
                       help='also print both models\' time per operator '
                       'type at the first batch size, from the runtime\'s '
                       'own profiler (onnxruntime, openvino, mnn)')
    model.add_argument('--cfg-options', nargs='+', action=DictAction,
                       help='override keys of both configs, xxx=yyy')
    return parser.parse_args()


def shape_label(row: Dict) -> str:
    label = 'x'.join(str(v) for v in row['shape'])
    return label + (' (NHWC)' if row['channels_last'] else '')


def verdict(ratio: float, goal: float) -> str:
    return f'{ratio:.2f} ({"ok" if ratio <= goal else "MISSED"})'


def print_block_eval(rows: List[Dict]) -> None:
    goals = ', '.join(f'{k} <= {v}' for k, v in EVAL_GOALS.items())
    print(f'CA block, eval. Our time over each reference (goal: {goals})\n')
    print('| N x C x H x W | ours / paper | ours / timm | ours / floor | '
          'ours ms | max abs diff |\n|---|---|---|---|---|---|')
    for row in rows:
        cells = [shape_label(row)] + [
            verdict(row['ratio'][k], goal) for k, goal in EVAL_GOALS.items()
        ] + [f'{row["ms"]["mmca"]:.3f}', f'{row["max_abs_diff"]:.1e}']
        print('| ' + ' | '.join(cells) + ' |')


def print_block_train(rows: List[Dict]) -> None:
    print('CA block, train mode forward + backward, against the paper\'s '
          'formulation (goal: both <= 1)\n')
    print('| N x C x H x W | time ratio | saved activations ratio | '
          'saved MiB (ours / paper) |\n|---|---|---|---|')
    for row in rows:
        saved = row['saved_mib']
        print(f'| {shape_label(row)} | '
              f'{verdict(row["ratio"]["time"], TRAIN_GOALS["time"])} | '
              f'{verdict(row["ratio"]["memory"], TRAIN_GOALS["memory"])} | '
              f'{saved["mmca"]:.1f} / {saved["paper"]:.1f} |')


def print_kernels(rows: List[Dict]) -> None:
    print('Each C++ kernel\'s time over its plain ATen form (below 1: the '
          'kernel is faster)\n')
    print('| N x C x H x W | ' + ' | '.join(KERNELS) + ' |\n|---|' +
          '---|' * len(KERNELS))
    for row in rows:
        cells = [f'{row["ratio"][k]:.2f} ({row["ms"][k]["kernel"]:.3f} ms)'
                 for k in KERNELS]
        print(f'| {shape_label(row)} | ' + ' | '.join(cells) + ' |')


def print_models(result: Dict, names: List[str]) -> None:
    config, baseline = names
    print(f'{config}\n  over {baseline}\n')
    deployed = any('parity' in row for row in result['batches'].values())
    parity = (' max abs diff to PyTorch, of outputs up to (model / '
              'baseline) |' if deployed else '')
    print('| batch | latency ratio | ms (model / baseline) | images/s '
          '(model / baseline) |' + parity + '\n|---|---|---|---|' +
          ('---|' if deployed else ''))
    for batch, row in result['batches'].items():
        ms, ips = row['ms'], row['images_per_s']
        diffs = ' / '.join(
            '{max_abs_diff:.1e} of {max_abs_output:.2g}'.format(
                **row['parity'][name]) for name in names) \
            if 'parity' in row else ''
        print(f'| {batch} | {row["ratio"][config]:.3f} | '
              f'{ms[config]:.1f} / {ms[baseline]:.1f} | '
              f'{ips[config]:.1f} / {ips[baseline]:.1f} |' +
              (f' {diffs} |' if diffs else ''))


def print_profiles(profiles: Dict, names: List[str], batch: int,
                   backend: str) -> None:
    ops = sorted(set().union(*(p.keys() for p in profiles.values())),
                 key=lambda op: -max(p.get(op, 0.) for p in profiles.values()))
    print(f'\n{backend} ms per run at batch {batch}, by operator')
    print('| op | ' + ' | '.join(osp.basename(n) for n in names) +
          ' |\n|---|---|---|')
    for op in ops + ['total']:
        cells = [sum(profiles[n].values()) if op == 'total'
                 else profiles[n].get(op, 0.) for n in names]
        print(f'| {op} | ' + ' | '.join(f'{c:.2f}' for c in cells) + ' |')


def plot_block(rows: List[Dict], path: str, train: bool) -> None:
    labels = [shape_label(r) for r in rows]
    keys = list(TRAIN_GOALS if train else EVAL_GOALS)
    fig, ax = plt.subplots(figsize=(1.6 * len(rows) + 2, 4))
    width = 0.8 / len(keys)
    for i, key in enumerate(keys):
        ax.bar([x + i * width for x in range(len(rows))],
               [r['ratio'][key] for r in rows], width, label=f'ours / {key}')
    ax.axhline(1.0, color='gray', lw=0.8)
    ax.set_xticks([x + width * (len(keys) - 1) / 2 for x in range(len(rows))])
    ax.set_xticklabels(labels, rotation=15, fontsize=8)
    ax.set_ylabel('time ratio (lower is better)' if not train else 'ratio')
    ax.set_title('CoordAttention ' + ('training' if train else 'inference'))
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def plot_models(result: Dict, names: List[str], path: str) -> None:
    batches = list(result['batches'])
    fig, ax = plt.subplots(figsize=(5, 4))
    width = 0.4
    for i, name in enumerate(names):
        ax.bar([x + i * width for x in range(len(batches))],
               [result['batches'][b]['images_per_s'][name] for b in batches],
               width, label=osp.basename(name))
    ax.set_xticks([x + width / 2 for x in range(len(batches))])
    ax.set_xticklabels([f'batch {b}' for b in batches])
    ax.set_ylabel('images / s')
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


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
        (print_block_train if args.train else print_block_eval)(rows)
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
        print_kernels(rows)
        stem = 'kernels' + ('_nhwc' if args.channels_last else '')
        result = dict(target='kernels', rows=rows)
    else:
        names = [args.config, args.baseline]
        cfgs = [load_config(n, args.cfg_options) for n in names]
        shape = tuple(args.shape or config_input_size(cfgs[0]))
        models = {n: build_inference_model(c) for n, c in zip(names, cfgs)}
        stem = '{}_vs_{}'.format(*(osp.splitext(osp.basename(n))[0]
                                   for n in names))
        if args.backend != 'pytorch':
            backend = BACKENDS[args.backend]
            try:
                backend.check_available()
            except BackendUnavailable as err:
                raise InputError(str(err)) from None
            batch_sizes = [1] if backend.single_image else args.batch_sizes
            static = (args.static_shape or not backend.dynamic_shapes
                      or bool(args.ca_form and args.ca_form.static))
            # A graph fixed to one size is exported once per batch size.
            per_batch = static or not backend.batches
            batches, paths = {}, {}
            for batch in batch_sizes:
                if batch == batch_sizes[0] or per_batch:
                    sessions = {}
                    for name, model in models.items():
                        path = paths[name] = osp.join(
                            args.out_dir,
                            osp.splitext(osp.basename(name))[0] +
                            (f'_b{batch}' if per_batch and batch > 1 else '')
                            + backend.suffix)
                        form, static = export_to_backend(
                            TensorOutputs(model), backend, path,
                            (batch, 3, *shape), args.static_shape,
                            args.ca_form)
                        sessions[name] = backend.load(path, args.threads)
                    if batch == batch_sizes[0]:
                        first_paths = dict(paths)
                batches.update(benchmark_deployed_models(
                    sessions, args.baseline, shape, [batch], **timing))
                # the timed files against PyTorch, on one random input
                batches[batch]['parity'] = {
                    name: next(iter(compare_with_pytorch(
                        TensorOutputs(models[name]), sessions[name],
                        [(batch, 3, *shape)]).values()))
                    for name in names}
            stem += f'_{args.backend}' + ('_static' if static else '')
            if args.ca_form:
                form = args.ca_form
                stem += f'_{form.pool}-{form.gate}-{form.mid_multiple}'
            profiles = None
            if args.profile:
                profiles = {name: backend.profile(first_paths[name], shape,
                                                  batch_sizes[0], args.threads)
                            for name in names}
                if None in profiles.values():
                    print(f'NOTE: {args.backend} has no per-operator '
                          'profiler that Python reaches (docs/deployment.md)')
                    profiles = None
        else:
            static, form, profiles = False, None, None
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
        print_models(result, names)
        if profiles:
            result['profile'] = dict(batch=batch_sizes[0], **profiles)
            print_profiles(profiles, names, batch_sizes[0], args.backend)
        plot_models(result, names, osp.join(args.out_dir, stem + '.png'))
    with open(osp.join(args.out_dir, stem + '.json'), 'w') as f:
        json.dump(result, f, indent=2)
    written = '.json' if args.target == 'kernels' else '.json and .png'
    print(f'\nwrote {osp.join(args.out_dir, stem)}{written}')


if __name__ == '__main__':
    run_tool(main)
