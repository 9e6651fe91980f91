"""The runner of a config, as tools/train.py and test.py build it."""
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmca.datasets import use_checked_loading
from mmca.utils import config_built, keep_freed_host_memory
from .cpu_distributed import setup_cpu_distributed
from .resumable_loops import use_resumable_loops


def build_runner(cfg: Config) -> Runner:
    """The runner of ``cfg`` (its ``launcher`` set), for train.py and test.py.

    Training is made safe to interrupt (see :func:`use_reliability_hooks`)
    and to resume mid-epoch, drawing the same random numbers as a run that
    never stopped (see :func:`~mmca.engine.use_resumable_loops`), and the
    dataloaders name a broken image or label map they meet (see
    :func:`use_checked_loading`). Without GPUs a distributed launcher runs
    CPU processes over gloo (see :mod:`mmca.engine.cpu_distributed`), and
    glibc keeps freed tensor memory instead of re-mapping it every step
    (see :mod:`mmca.utils.host_allocator`). A config the registries cannot
    build (an unknown type or constructor key, or a value a constructor
    refuses, such as a backbone's ``stage_with_attention`` of another
    length) is an :class:`~mmca.utils.InputError` (:func:`config_built`).
    """
    use_reliability_hooks(cfg)
    use_checked_loading(cfg)
    use_resumable_loops(cfg)
    if not torch.cuda.is_available():
        keep_freed_host_memory()
        if cfg.launcher != 'none':
            setup_cpu_distributed(cfg)
    with config_built(cfg.filename):
        return Runner.from_cfg(cfg)


def use_reliability_hooks(cfg: Config) -> None:
    """Make ``cfg``'s training safe to kill or stop, and stop it on a NaN
    loss.

    mmengine's ``CheckpointHook`` becomes
    :class:`~mmca.engine.AtomicCheckpointHook` (checkpoints and
    ``last_checkpoint`` written whole or not at all), and
    :class:`~mmca.engine.NonFiniteLossHook` and
    :class:`~mmca.engine.StopSignalHook` join the custom hooks. A config
    that names another checkpoint hook, or already has either hook, keeps
    its own. docs/reliability.md lists what each guards against.
    """
    checkpoint = (cfg.get('default_hooks') or {}).get('checkpoint')
    if checkpoint is not None and checkpoint.get('type') == 'CheckpointHook':
        checkpoint['type'] = 'AtomicCheckpointHook'
    custom_hooks = list(cfg.get('custom_hooks') or [])
    for hook_type in ('NonFiniteLossHook', 'StopSignalHook'):
        if not any(hook.get('type') == hook_type for hook in custom_hooks):
            custom_hooks.append(dict(type=hook_type))
    cfg.custom_hooks = custom_hooks
