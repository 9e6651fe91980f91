"""An optim wrapper constructor that gives the optimizer one parameter
group per set of options, not one per parameter."""
from typing import Dict, List, Optional

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS


def merge_param_groups(groups: List[Dict]) -> List[Dict]:
    """``groups`` with those that have equal options (every key but
    ``params``) merged into the first of them, in order; each group's
    parameters keep their order."""
    merged: Dict[tuple, Dict] = {}
    for group in groups:
        options = tuple(
            sorted((k, v) for k, v in group.items() if k != 'params'))
        if options in merged:
            merged[options]['params'].extend(group['params'])
        else:
            merged[options] = dict(group, params=list(group['params']))
    return list(merged.values())


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class GroupedOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """:class:`~mmengine.optim.DefaultOptimWrapperConstructor` whose
    ``paramwise_cfg`` groups share.

    With a ``paramwise_cfg`` (e.g. no weight decay on norms and biases) the
    default constructor makes a parameter group for each parameter, about
    380 for SSDLite-MBv2. The optimizer then runs once per group, each time
    on one tensor, and a ``fused``/``foreach`` optimizer loses what it is
    for. Here the groups with equal options are merged (two groups in that
    example), so each step is a few calls over many tensors; every
    parameter gets the same options, so the updates are the same. On a
    2-core CPU, fused AdamW's step for SSDLite-MBv2-CA takes a third of the
    time (docs/cpu.md; ``benchmark.py update-step``).

    The merged groups change the optimizer's state dict, so a checkpoint
    saved under the default constructor resumes under this one only with
    ``resume`` off (weights only); one saved under this one resumes here.
    """

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   is_dcn_module: Optional[bool] = None) -> None:
        super().add_params(params, module, prefix, is_dcn_module)
        if not prefix:  # the outermost call: every parameter is added
            params[:] = merge_param_groups(params)
