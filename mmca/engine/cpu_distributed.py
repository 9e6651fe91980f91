"""Distributed runs on CPU processes (gloo), with configs written for GPUs.

mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device`` and wraps the
model in DDP with ``device_ids``; both fail without CUDA, and SyncBN has no
CPU implementation. Here the gloo process group is initialised before the
runner is built (the runner then skips its own launcher), SyncBN configs are
turned into BN, and DDP wraps the CPU module without ``device_ids``. Each
process then keeps its own BN statistics while training, as BN does.
"""
import os
import subprocess
from typing import Any, Dict

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.model import MMDistributedDataParallel
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """:class:`MMDistributedDataParallel` for a module on the CPU.

    The runner passes ``device_ids=[LOCAL_RANK]``, which DDP accepts only for
    modules on a GPU; for a CPU module they must be None.
    """

    def __init__(self, module: torch.nn.Module, device_ids=None,
                 **kwargs: Any) -> None:
        super().__init__(module=module, device_ids=None, **kwargs)


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
    """Join the gloo process group torchrun or Slurm describes and adapt
    ``cfg``.

    Expects torchrun's environment (``RANK``, ``WORLD_SIZE``,
    ``MASTER_ADDR``, ``MASTER_PORT``, ``LOCAL_RANK``), or under the
    ``slurm`` launcher the task's ``SLURM_*`` variables, read as mmengine's
    slurm launcher reads them (which then sets a CUDA device).
    """
    if cfg.launcher == 'slurm' and 'RANK' not in os.environ:
        os.environ.update(_slurm_environment())
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


def _slurm_environment() -> Dict[str, str]:
    """torchrun's variables for this Slurm task: the rank and size from
    ``SLURM_PROCID`` and ``SLURM_NTASKS``, the first node of
    ``SLURM_NODELIST`` as the master, port 29500 unless ``MASTER_PORT`` is
    set."""
    nodes = subprocess.run(
        ['scontrol', 'show', 'hostnames', os.environ['SLURM_NODELIST']],
        capture_output=True, text=True, check=True).stdout.split()
    return dict(RANK=os.environ['SLURM_PROCID'],
                WORLD_SIZE=os.environ['SLURM_NTASKS'],
                LOCAL_RANK=os.environ.get('SLURM_LOCALID', '0'),
                MASTER_ADDR=os.environ.get('MASTER_ADDR', nodes[0]),
                MASTER_PORT=os.environ.get('MASTER_PORT', '29500'))


def shutdown_distributed() -> None:
    """Leave the process group once every rank is done.

    Without this, gloo's worker threads outlive the interpreter's teardown
    and a rank can die with SIGABRT ("terminate called without an active
    exception") after its work is finished, failing the whole torchrun job.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def is_first_process(launcher: str) -> bool:
    """Whether this is rank 0 of a run started with ``launcher``, read from
    the launcher's environment before the process group exists."""
    if launcher == 'none':
        return True
    rank = next((os.environ[key] for key in
                 ('RANK', 'SLURM_PROCID', 'OMPI_COMM_WORLD_RANK', 'PMI_RANK')
                 if key in os.environ), '0')
    return int(rank) == 0
