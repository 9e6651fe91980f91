"""Resident memory over long runs: repeated calls of the Coordinate
Attention block (:func:`op_rss`) and the iterations of a training run
(:func:`training_rss`). Each should stay flat; docs/reliability.md has the
numbers."""
import shutil
import tempfile
from typing import Dict, Iterator, Optional

import torch
from mmengine.config import Config
from mmengine.hooks import Hook

from mmca.engine import build_runner
from mmca.models.attention import CoordAttention
from mmca.ops import fuses_inference
from mmca.utils import rss_bytes, rss_over_calls

MIB = 2**20


def op_rss(channels: int = 64, size: int = 28, batch: int = 8,
           calls: int = 1000) -> Iterator[str]:
    """RSS before and after ``calls`` calls of a ``CoordAttention`` block,
    in eval mode under ``torch.no_grad()`` (the compiled op where it loads),
    then forward and backward in train mode: a line for each, yielded as it
    is measured."""
    torch.manual_seed(0)
    block = CoordAttention(channels)
    x = torch.randn(batch, channels, size, size)
    shape = 'x'.join(map(str, x.shape))

    block.eval()
    with torch.no_grad():
        path = ('compiled op' if fuses_inference(x, block.act)
                else 'plain PyTorch: the compiled op did not load')
        before, after = rss_over_calls(lambda: block(x), calls)
    yield rss_line(f'op, eval + no_grad ({path}), x {shape}, {calls} calls',
                   before, after)

    block.train()
    x.requires_grad_(True)

    def step():
        block(x).sum().backward()
        x.grad = None
        block.zero_grad(set_to_none=True)

    before, after = rss_over_calls(step, calls)
    yield rss_line(f'op, train, forward + backward, x {shape}, {calls} calls',
                   before, after)


def rss_line(what: str, before: int, after: int) -> str:
    """``what``: the RSS before, after and the growth, in MiB."""
    return (f'{what}: RSS {before / MIB:.1f} -> {after / MIB:.1f} MiB '
            f'({(after - before) / MIB:+.1f} MiB)')


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


def training_rss(cfg: Config, sample_every: int = 10,
                 work_dir: Optional[str] = None) -> Dict[int, int]:
    """Train ``cfg`` in this process (no launcher); the RSS in bytes after
    iteration 1, every ``sample_every`` and the last.

    ``work_dir`` (default: a temporary one, removed afterwards) replaces
    the config's.
    """
    run_dir = work_dir or tempfile.mkdtemp(prefix='rss_check_')
    cfg.work_dir, cfg.launcher = run_dir, 'none'
    try:
        runner = build_runner(cfg)
        hook = RssHook(sample_every)
        runner.register_hook(hook)
        runner.train()
    finally:
        if not work_dir:
            shutil.rmtree(run_dir, ignore_errors=True)
    return hook.samples


def training_rss_report(config: str, samples: Dict[int, int]) -> str:
    """Two lines on :func:`training_rss`'s ``samples`` of ``config``: the
    RSS after iteration 1, once a tenth of the run is done, at the end, and
    the peak; then the RSS at each tenth of the run."""
    last = max(samples)
    settled = min(n for n in samples if n >= last // 10)
    tenths = sorted({min(n for n in samples if n >= last * k // 10)
                     for k in range(1, 11)})
    return (f'training {config}, {last} iterations: RSS '
            f'{samples[1] / MIB:.1f} MiB after iteration 1, '
            f'{samples[settled] / MIB:.1f} MiB after iteration {settled}, '
            f'{samples[last] / MIB:.1f} MiB after iteration {last} '
            f'({(samples[last] - samples[settled]) / MIB:+.1f} MiB since '
            f'iteration {settled}); peak sample '
            f'{max(samples.values()) / MIB:.1f} MiB\n'
            'RSS (MiB) after iteration: ' + ', '.join(
                f'{n}: {samples[n] / MIB:.1f}' for n in tenths))
