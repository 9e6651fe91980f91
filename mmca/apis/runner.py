"""The runner of a config, as tools/train.py and test.py build it."""
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from .cpu_distributed import setup_cpu_distributed
from .errors import InputError
from .host_allocator import keep_freed_host_memory


def build_runner(cfg: Config) -> Runner:
    """The runner of ``cfg`` (its ``launcher`` set), for train.py and test.py.

    Without GPUs a distributed launcher runs CPU processes over gloo (see
    :mod:`mmca.apis.cpu_distributed`), and glibc keeps freed tensor memory
    instead of re-mapping it every step (see
    :mod:`mmca.apis.host_allocator`). A config the registries cannot
    build (an unknown type or constructor key) is a :class:`InputError`.
    """
    if not torch.cuda.is_available():
        keep_freed_host_memory()
        if cfg.launcher != 'none':
            setup_cpu_distributed(cfg)
    try:
        return Runner.from_cfg(cfg)
    except (TypeError, KeyError) as err:
        raise InputError(f'cannot build {cfg.filename}: {err}. Check the '
                          'config keys and --cfg-options.') from None
