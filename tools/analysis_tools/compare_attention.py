"""The paper's comparison on the demo data: no attention, SE, CBAM and CA,
the ablations of CA's options and other backbones.

  python tools/analysis_tools/compare_attention.py --task positions
      [--seeds 0 1 2] [--variants none se cbam ca ca-h ca-w ca-softmax
       ca-relu6 ca-silu ca-r8 ca-r16 ca-r32 ca-last3 mbv3-large-se
       mbv3-large-ca mbv3-small-se mbv3-small-ca effb0-se effb0-ca]
      [--work-dir DIR] [--no-latency] [--cfg-options k=v ...]

Each variant (by default the four attentions; what each sets in the
config's model is in mmca/analysis/variants.py, and it is written as a
config of its own under WORK_DIR/configs/) trains the task's demo config
(configs/demo/; positions: do two crosses line up along a row, a column,
or neither; positions-shallow: the same on MobileNetV2 cut to a receptive
field smaller than the distances between the crosses) with the same
schedule, once per seed, through tools/train.py;
then the models are counted (params, MAdds at the demo's input size) and
timed side by side against the one without attention, in PyTorch and in
ONNX Runtime. The table (Markdown and JSON) and a plot go to the work dir,
by default work_dirs/compare_attention/<task>/.

Runs are kept: a finished run is read back, not trained again, and an
interrupted one resumes, so the comparison can be stopped and restarted.
Before each run it prints how far it is, with an ETA from the runs trained
so far. The spread between seeds is printed beside each metric: a
difference between variants smaller than it means nothing.
"""
import argparse
import os.path as osp

from mmengine.config import DictAction

from mmca.analysis import (ATTENTION_VARIANTS, TASKS, VARIANTS,
                           compare_attentions, comparison_table,
                           seed_spread_summary, write_comparison)
from mmca.cli import run_tool


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('--task', choices=sorted(TASKS), required=True)
    parser.add_argument('--variants', '--attentions', nargs='+',
                        choices=list(VARIANTS),
                        default=list(ATTENTION_VARIANTS),
                        metavar='VARIANT',
                        help='what to train, of: ' + ', '.join(VARIANTS) +
                        ' (default: the four attentions; --attentions: the '
                        'old name)')
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


def main() -> None:
    args = parse_args()
    work_dir = args.work_dir or osp.join('work_dirs', 'compare_attention',
                                         args.task)
    comparison = compare_attentions(
        args.task, args.variants, args.seeds, work_dir, args.cfg_options,
        latency=not args.no_latency, rounds=args.rounds)
    print(f'\n{comparison_table(comparison)}\n\n'
          f'{seed_spread_summary(comparison)}')
    stem = write_comparison(comparison, work_dir)
    print(f'wrote {stem}.md, .json and .png')


if __name__ == '__main__':
    run_tool(main)
