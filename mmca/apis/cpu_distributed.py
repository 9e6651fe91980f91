"""Distributed runs on CPU processes (gloo), with configs written for GPUs.

mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device`` and wraps the
model in DDP with ``device_ids``; both fail without CUDA, and SyncBN has no
CPU implementation. Here the gloo process group is initialised before the
runner is built (the runner then skips its own launcher), SyncBN configs are
turned into BN, and DDP wraps the CPU module without ``device_ids``. Each
process then keeps its own BN statistics while training, as BN does.
"""
import os
from typing import Any

import torch.distributed as dist
from mmengine.config import Config


def replace_sync_bn(cfg: Any) -> Any:
    """Return ``cfg`` with every ``type='SyncBN'`` norm config made ``BN``."""
    if isinstance(cfg, dict):
        return type(cfg)({
            key: 'BN' if key == 'type' and value == 'SyncBN' else
            replace_sync_bn(value)
            for key, value in cfg.items()
        })
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(replace_sync_bn(item) for item in cfg)
    return cfg


def setup_cpu_distributed(cfg: Config) -> None:
    """Join the gloo process group torchrun describes and adapt ``cfg``.

    Expects torchrun's environment (``RANK``, ``WORLD_SIZE``,
    ``MASTER_ADDR``, ``MASTER_PORT``, ``LOCAL_RANK``).
    """
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    cfg.model = replace_sync_bn(cfg.model)
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper['type'] = 'CPUDistributedDataParallel'
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters',
                       cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper
    os.environ.setdefault('LOCAL_RANK', str(dist.get_rank()))


def shutdown_distributed() -> None:
    """Leave the process group once every rank is done.

    Without this, gloo's worker threads outlive the interpreter's teardown
    and a rank can die with SIGABRT ("terminate called without an active
    exception") after its work is finished, failing the whole torchrun job.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
