"""Check that long runs stay flat: resident memory over training iterations
and over repeated calls of the Coordinate Attention op.

  python tools/rss_check.py [--op-calls 1000] [--channels 64] [--size 28]
      [--batch 8] [--train-config CONFIG] [--work-dir DIR]
      [--cfg-options k=v ...]

Calls a ``CoordAttention`` block ``--op-calls`` times in eval mode under
``torch.no_grad()`` (the compiled CPU op, ``coord_attention_inference``,
where it loads) and as many times forward and backward in train mode,
printing the RSS before and after each. With ``--train-config`` it then
trains that config in this process (set the schedule with
``--cfg-options``) and prints the RSS after the first iteration, after a
tenth of the run, at the end, and the peak. docs/reliability.md has the
numbers and the command.
"""
import argparse

from mmengine.config import DictAction

from mmca.cli import load_config, run_tool
from mmca.preflight import check_task
from mmca.testing import op_rss, training_rss, training_rss_report


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--op-calls', type=int, default=1000,
                        help='calls of the block in each mode (default 1000)')
    parser.add_argument('--channels', type=int, default=64)
    parser.add_argument('--size', type=int, default=28,
                        help='height and width of the block input')
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--train-config',
                        help='also train this config and watch its RSS')
    parser.add_argument('--work-dir', help='work dir of the training run '
                        '(default: a temporary one, removed afterwards)')
    parser.add_argument('--sample-every', type=int, default=10,
                        help='iterations between RSS samples (default 10)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override keys of the training config, k=v')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    for line in op_rss(args.channels, args.size, args.batch, args.op_calls):
        print(line, flush=True)
    if args.train_config:
        cfg = load_config(args.train_config, args.cfg_options)
        check_task(cfg, 'tools/rss_check.py')
        samples = training_rss(cfg, args.sample_every, args.work_dir)
        print(training_rss_report(args.train_config, samples), flush=True)


if __name__ == '__main__':
    run_tool(main)
