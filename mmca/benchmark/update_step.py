"""The update step around the backward pass, as mmengine and mmdet do it
and as :mod:`mmca.engine.optim` does, on a config's model.

Two pairs, each timed side by side on the same tensors:

- the config's optimizer over mmengine's parameter groups
  (``DefaultOptimWrapperConstructor``: one per parameter when there is a
  ``paramwise_cfg``) against :class:`GroupedOptimWrapperConstructor`'s;
- mmdet's ``ExpMomentumEMA`` against :class:`ForeachExpMomentumEMA`, with
  the config's ``EMAHook`` options if it has one.

The gradients are random: the step's cost does not depend on them.
"""
import copy
from typing import Dict

import torch
from mmdet.models.layers import ExpMomentumEMA
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmca.apis import build_inference_model
from mmca.engine import replace_sync_bn
from mmca.engine.optim import ForeachExpMomentumEMA
from .timing import median_ratio, median_time, time_side_by_side

#: What each pair times, ours first: name to (ours, theirs).
UPDATE_STEP_PAIRS = {
    'optimizer step': ('GroupedOptimWrapperConstructor',
                       'DefaultOptimWrapperConstructor'),
    'EMA update': ('ForeachExpMomentumEMA', 'ExpMomentumEMA'),
}


def ema_options(cfg: Config) -> Dict:
    """The config's ``EMAHook`` averaging options (momentum, gamma,
    interval, update_buffers); without one, the buffers averaged and
    ``ExpMomentumEMA``'s own defaults for the rest."""
    options = dict(update_buffers=True)
    for hook in cfg.get('custom_hooks', []):
        if hook.get('type') == 'EMAHook':
            options.update({
                k: hook[k]
                for k in ('momentum', 'gamma', 'interval', 'update_buffers')
                if k in hook
            })
    return options


def benchmark_update_step(cfg: Config, channels_last: bool = False,
                          **timing) -> Dict:
    """Each pair of :data:`UPDATE_STEP_PAIRS` on ``cfg``'s model.

    Returns:
        dict: ``param_groups`` (each constructor's count), ``ms`` per pair
        and candidate, ``ratio`` per pair (ours over theirs; below 1 ours
        is faster).
    """
    cfg = copy.deepcopy(cfg)
    cfg.model = replace_sync_bn(cfg.model)
    model = build_inference_model(cfg).train()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    torch.manual_seed(0)
    for param in model.parameters():
        param.grad = torch.randn_like(param) * 1e-3
    ours, theirs = UPDATE_STEP_PAIRS['optimizer step']
    optimizers = {
        name: build_optim_wrapper(
            model, dict(copy.deepcopy(cfg.optim_wrapper), constructor=name))
        for name in (ours, theirs)
    }
    options = ema_options(cfg)
    averages = {
        cls.__name__: cls(model, **options)
        for cls in (ForeachExpMomentumEMA, ExpMomentumEMA)
    }
    for average in averages.values():
        average.update_parameters(model)  # past the first step's copy
    candidates = {
        'optimizer step': {n: o.step for n, o in optimizers.items()},
        'EMA update': {
            n: (lambda a=a: a.update_parameters(model))
            for n, a in averages.items()
        },
    }
    ms, ratio = {}, {}
    for pair, runs in candidates.items():
        samples = time_side_by_side(runs, **timing)
        ms[pair] = {n: median_time(s) * 1e3 for n, s in samples.items()}
        ours, theirs = UPDATE_STEP_PAIRS[pair]
        ratio[pair] = median_ratio(samples, ours, theirs)
    groups = {
        n: len(o.optimizer.param_groups)
        for n, o in optimizers.items()
    }
    return dict(config=cfg.filename, channels_last=channels_last,
                param_groups=groups, ema=options, ms=ms, ratio=ratio)
