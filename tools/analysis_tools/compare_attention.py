"""The paper's comparison on the demo data: no attention, SE, CBAM and CA.

  python tools/analysis_tools/compare_attention.py --task cls [--seeds 0 1]
      [--attentions none se cbam ca] [--work-dir DIR] [--no-latency]
      [--cfg-options k=v ...]

Each attention trains the task's demo config (configs/demo/) with the same
schedule, once per seed, through tools/train.py; then the models are
counted (params, MAdds at the demo's input size) and timed side by side
against the one without attention, in PyTorch and in ONNX Runtime. The
table (Markdown and JSON) and a plot go to the work dir, by default
work_dirs/compare_attention/<task>/.

Runs are kept: a finished run is read back, not trained again, and an
interrupted one resumes, so the comparison can be stopped and restarted.
The spread between seeds is printed beside each metric: a difference
between attentions smaller than it means nothing.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from typing import Dict, List

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
from mmengine.config import DictAction  # noqa: E402

from mmca.apis import (InputError, build_inference_model,  # noqa: E402
                       config_input_size, load_config, run_tool)
from mmca.apis.scalars import read_curves, scalars_file  # noqa: E402
from mmca.utils.complexity import complexity  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TASKS = {
    'cls': ('configs/demo/mbv2_ca_shapes_cls.py', 'accuracy/top1'),
    'det': ('configs/demo/ssdlite_mbv2_ca_shapes.py', 'coco/bbox_mAP'),
    'seg': ('configs/demo/deeplabv3_mbv2_ca_shapes.py', 'mIoU'),
}
#: The attention each name trains with, as ``model.backbone.attention``.
ATTENTIONS = {'none': None, 'se': 'SqueezeExcitation', 'cbam': 'CBAM',
              'ca': 'CoordAttention'}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('--task', choices=sorted(TASKS), required=True)
    parser.add_argument('--attentions', nargs='+', choices=list(ATTENTIONS),
                        default=list(ATTENTIONS))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--work-dir', help='default: '
                        'work_dirs/compare_attention/<task>')
    parser.add_argument('--no-latency', action='store_true',
                        help='skip the PyTorch and ONNX Runtime timing')
    parser.add_argument('--rounds', type=int, default=10,
                        help='timing rounds (as benchmark.py)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='override keys of every run, '
                        'xxx=yyy (e.g. a shorter schedule)')
    return parser.parse_args()


def attention_options(name: str) -> List[str]:
    """``--cfg-options`` entries that give the demo config this attention."""
    if ATTENTIONS[name] is None:
        return ['model.backbone.attention=None']
    return [f'model.backbone.attention.type={ATTENTIONS[name]}']


def final_metric(work_dir: str, metric: str):
    """The run's last validation value of ``metric``, or None if the run
    has not finished one."""
    try:
        curves = read_curves(scalars_file(work_dir))
    except InputError:
        return None
    return curves[metric][-1][1] if metric in curves else None


def train(config: str, work_dir: str, options: List[str]) -> None:
    """tools/train.py in a process of its own (``--resume``: a killed
    comparison goes on where it stopped); its log goes to train.out."""
    os.makedirs(work_dir, exist_ok=True)
    command = [sys.executable, osp.join(REPO, 'tools', 'train.py'), config,
               '--work-dir', work_dir, '--resume', '--cfg-options', *options]
    with open(osp.join(work_dir, 'train.out'), 'w') as log:
        status = subprocess.call(command, cwd=REPO, stdout=log,
                                 stderr=subprocess.STDOUT)
    if status:
        raise InputError(f'training failed (exit {status}); see '
                         f'{osp.join(work_dir, "train.out")}')


def measure_runs(args, config: str, metric: str, root: str) -> Dict:
    """Train what is missing; name -> seed -> metric. Prints progress with
    an ETA from the runs trained so far."""
    user = [f'{k}={v}' for k, v in args.cfg_options.items()]
    runs = [(name, seed) for name in args.attentions for seed in args.seeds]
    results: Dict[str, Dict[int, float]] = {}
    trained_times: List[float] = []
    for index, (name, seed) in enumerate(runs, 1):
        work_dir = osp.join(root, f'{name}_seed{seed}')
        value = final_metric(work_dir, metric)
        if value is None:
            remaining = sum(final_metric(osp.join(root, f'{n}_seed{s}'),
                                         metric) is None
                            for n, s in runs[index - 1:])
            eta = (f', ETA {statistics.mean(trained_times) * remaining / 60:.0f} min'
                   if trained_times else '')
            print(f'[{index}/{len(runs)}] {name}, seed {seed}: training '
                  f'(log: {work_dir}/train.out){eta}', flush=True)
            start = time.time()
            train(config, work_dir, attention_options(name) +
                  [f'randomness.seed={seed}'] + user)
            trained_times.append(time.time() - start)
            value = final_metric(work_dir, metric)
            if value is None:
                raise InputError(f'{work_dir} finished without a {metric} '
                                 'validation; is val_cfg set?')
            took = f' in {trained_times[-1]:.0f} s'
        else:
            took = ' (kept from an earlier run)'
        print(f'[{index}/{len(runs)}] {name}, seed {seed}: {metric} '
              f'{value:.4g}{took}', flush=True)
        results.setdefault(name, {})[seed] = value
    return results


def measure_models(args, config: str, root: str) -> Dict:
    """name -> params, MAdds and latency ratios over no attention."""
    from mmca.benchmark import benchmark_deployed_models, benchmark_models
    from mmca.deployment import BACKENDS, TensorOutputs, export_onnx
    models, rows = {}, {}
    for name in args.attentions:
        options = dict(args.cfg_options)
        options['model.backbone.attention'] = (
            None if ATTENTIONS[name] is None else dict(type=ATTENTIONS[name]))
        cfg = load_config(config, options)
        models[name] = build_inference_model(cfg)
        shape = tuple(config_input_size(cfg))
        info = complexity(models[name], (3, ) + shape)
        rows[name] = dict(params=info['params'], madds=info['madds'])
    if args.no_latency or 'none' not in models:
        return rows
    print('timing the models side by side (PyTorch, then ONNX Runtime)',
          flush=True)
    timing = dict(rounds=args.rounds, repeats=5, warmup=3)
    torch_ratios = benchmark_models(models, 'none', shape, (1, ),
                                    **timing)[1]['ratio']
    paths = {}
    for name, model in models.items():
        paths[name] = osp.join(root, f'{name}.onnx')
        export_onnx(TensorOutputs(model), paths[name], (1, 3, *shape))
    ort = BACKENDS['onnxruntime']
    sessions = {name: ort.load(path) for name, path in paths.items()}
    ort_ratios = benchmark_deployed_models(sessions, 'none', shape, (1, ),
                                           **timing)[1]['ratio']
    for name in rows:
        rows[name].update(latency_pytorch=torch_ratios[name],
                          latency_onnxruntime=ort_ratios[name])
    return rows


def table(rows: Dict, results: Dict, metric: str, seeds: List[int]) -> str:
    timed = 'latency_pytorch' in next(iter(rows.values()))
    head = ['attention', 'params', 'MAdds']
    head += ['latency (PyTorch)', 'latency (ONNX Runtime)'] if timed else []
    head += [f'{metric} (seed {s})' for s in seeds] + ['mean', 'spread']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, row in rows.items():
        values = [results[name][s] for s in seeds]
        cells = [name, f'{row["params"] / 1e6:.3f}M',
                 f'{row["madds"] / 1e6:.1f}M']
        if timed:
            cells += [f'{row["latency_pytorch"]:.3f}',
                      f'{row["latency_onnxruntime"]:.3f}']
        cells += [f'{v:.4g}' for v in values]
        cells += [f'{statistics.mean(values):.4g}',
                  f'{max(values) - min(values):.3g}']
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def plot(rows: Dict, results: Dict, metric: str, path: str) -> None:
    names = list(rows)
    means = [statistics.mean(results[n].values()) for n in names]
    low = [m - min(results[n].values()) for m, n in zip(means, names)]
    high = [max(results[n].values()) - m for m, n in zip(means, names)]
    timed = 'latency_pytorch' in rows[names[0]]
    fig, axes = plt.subplots(1, 2 if timed else 1, figsize=(10 if timed else 5,
                                                             3.6),
                             squeeze=False)
    ax = axes[0, 0]
    ax.bar(names, means, yerr=[low, high], capsize=6, color='tab:blue')
    ax.set_ylabel(f'{metric} (mean; bars: seed range)')
    ax.set_ylim(min(min(r.values()) for r in results.values()) * 0.95,
                max(max(r.values()) for r in results.values()) * 1.02)
    if timed:
        ax = axes[0, 1]
        x = range(len(names))
        ax.bar([i - 0.2 for i in x], [rows[n]['latency_pytorch'] for n in names],
               0.4, label='PyTorch')
        ax.bar([i + 0.2 for i in x],
               [rows[n]['latency_onnxruntime'] for n in names], 0.4,
               label='ONNX Runtime')
        ax.set_xticks(list(x), names)
        ax.axhline(1, color='gray', lw=0.8)
        ax.set_ylabel('latency over no attention (batch 1)')
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    args = parse_args()
    config, metric = TASKS[args.task]
    root = args.work_dir or osp.join('work_dirs', 'compare_attention',
                                     args.task)
    os.makedirs(root, exist_ok=True)
    results = measure_runs(args, config, metric, root)
    rows = measure_models(args, config, root)
    text = table(rows, results, metric, args.seeds)
    spreads = [max(r.values()) - min(r.values()) for r in results.values()]
    summary = (f'{args.task} demo ({config}), seeds '
               f'{", ".join(map(str, args.seeds))}: the largest spread '
               f'between seeds is {max(spreads):.3g} ({metric}).')
    print(f'\n{text}\n\n{summary}')
    stem = osp.join(root, 'comparison')
    with open(stem + '.md', 'w') as f:
        f.write(f'{text}\n\n{summary}\n')
    with open(stem + '.json', 'w') as f:
        json.dump(dict(task=args.task, config=config, metric=metric,
                       seeds=args.seeds, models=rows,
                       results={n: {str(s): v for s, v in r.items()}
                                for n, r in results.items()}), f, indent=2)
    plot(rows, results, metric, stem + '.png')
    print(f'wrote {stem}.md, .json and .png')


if __name__ == '__main__':
    run_tool(main)
