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
import shutil
import tempfile

import torch
from mmengine.config import DictAction
from mmengine.hooks import Hook

from mmca.cli import load_config, run_tool
from mmca.engine import build_runner
from mmca.models.attention import CoordAttention
from mmca.ops import fuses_inference
from mmca.preflight import check_task
from mmca.utils import rss_bytes, rss_over_calls

MIB = 2**20


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


def check_op(args: argparse.Namespace) -> None:
    torch.manual_seed(0)
    block = CoordAttention(args.channels)
    x = torch.randn(args.batch, args.channels, args.size, args.size)
    shape = 'x'.join(map(str, x.shape))

    block.eval()
    with torch.no_grad():
        path = ('compiled op' if fuses_inference(x, block.act)
                else 'plain PyTorch: the compiled op did not load')
        before, after = rss_over_calls(lambda: block(x), args.op_calls)
    report(f'op, eval + no_grad ({path}), x {shape}, {args.op_calls} calls',
           before, after)

    block.train()
    x.requires_grad_(True)

    def step():
        block(x).sum().backward()
        x.grad = None
        block.zero_grad(set_to_none=True)

    before, after = rss_over_calls(step, args.op_calls)
    report(f'op, train, forward + backward, x {shape}, {args.op_calls} calls',
           before, after)


def report(what: str, before: int, after: int) -> None:
    print(f'{what}: RSS {before / MIB:.1f} -> {after / MIB:.1f} MiB '
          f'({(after - before) / MIB:+.1f} MiB)', flush=True)


class RssHook(Hook):
    """Samples the RSS after the first iteration and every ``every``."""

    priority = 'LOWEST'

    def __init__(self, every: int) -> None:
        self.every = every
        self.samples = {}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        done = runner.iter + 1   # runner.iter counts from 0 in this hook
        if done == 1 or done % self.every == 0 or done == runner.max_iters:
            self.samples[done] = rss_bytes()


def check_training(args: argparse.Namespace) -> None:
    cfg = load_config(args.train_config, args.cfg_options)
    check_task(cfg, 'tools/rss_check.py')
    work_dir = args.work_dir or tempfile.mkdtemp(prefix='rss_check_')
    cfg.work_dir, cfg.launcher = work_dir, 'none'
    try:
        runner = build_runner(cfg)
        hook = RssHook(args.sample_every)
        runner.register_hook(hook)
        runner.train()
    finally:
        if not args.work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
    samples = hook.samples
    last = max(samples)
    settled = min(n for n in samples if n >= last // 10)
    print(f'training {args.train_config}, {last} iterations: RSS '
          f'{samples[1] / MIB:.1f} MiB after iteration 1, '
          f'{samples[settled] / MIB:.1f} MiB after iteration {settled}, '
          f'{samples[last] / MIB:.1f} MiB after iteration {last} '
          f'({(samples[last] - samples[settled]) / MIB:+.1f} MiB since '
          f'iteration {settled}); peak sample '
          f'{max(samples.values()) / MIB:.1f} MiB', flush=True)
    tenths = sorted({min(n for n in samples if n >= last * k // 10)
                     for k in range(1, 11)})
    print('RSS (MiB) after iteration: ' + ', '.join(
        f'{n}: {samples[n] / MIB:.1f}' for n in tenths), flush=True)


def main() -> None:
    args = parse_args()
    check_op(args)
    if args.train_config:
        check_training(args)


if __name__ == '__main__':
    run_tool(main)
