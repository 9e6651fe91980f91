"""DDP for models on the CPU, as the runner builds it from a config."""
from typing import Any

import torch
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
