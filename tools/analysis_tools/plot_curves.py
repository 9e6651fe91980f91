"""Plot training curves of one or more runs from mmengine's scalars.json.

  python tools/analysis_tools/plot_curves.py RUN [RUN ...]
      [--keys loss lr accuracy/top1] [--names ca plain] [--out curves.png]

A RUN is a work dir (its newest ``*/vis_data/scalars.json`` is read) or a
``scalars.json`` file, of any task: mmengine's ``LocalVisBackend`` writes
one JSON record per logged step. Each key gets a panel with one line per
run, against the record's ``step`` (the iteration for training records,
the epoch or iteration of the validation for metrics). Without ``--keys``
the keys all runs share are drawn. The last value of each key and run is
printed.
"""
import argparse
import os
import os.path as osp

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from mmca.analysis import read_curves, scalars_file  # noqa: E402
from mmca.cli import run_tool  # noqa: E402
from mmca.utils import InputError  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('runs', nargs='+', help='work dirs or scalars.json')
    parser.add_argument('--keys', nargs='+', help='keys to plot')
    parser.add_argument('--names', nargs='+', help='legend names of the runs')
    parser.add_argument('--out', default='work_dirs/curves.png')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    names = args.names or [osp.basename(osp.normpath(r)) for r in args.runs]
    if len(names) != len(args.runs):
        raise InputError(f'--names gives {len(names)} names for '
                         f'{len(args.runs)} runs')
    runs = {name: read_curves(scalars_file(run))
            for name, run in zip(names, args.runs)}
    shared = set.intersection(*(set(c) for c in runs.values()))
    keys = args.keys or sorted(shared)
    for name, curves in runs.items():
        missing = [k for k in keys if k not in curves]
        if missing:
            raise InputError(f'run {name} has no {", ".join(missing)}; its '
                             f'keys are {", ".join(sorted(curves))}')
    if not keys:
        raise InputError('the runs share no key; choose some with --keys')
    fig, axes = plt.subplots(len(keys), 1, figsize=(7, 2.6 * len(keys)),
                             squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        for name, curves in runs.items():
            steps, values = zip(*curves[key])
            ax.plot(steps, values, marker='o' if len(steps) < 20 else None,
                    label=name)
            print(f'{name}: {key} = {values[-1]:.4g} at step {steps[-1]}')
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel('step')
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    run_tool(main)
