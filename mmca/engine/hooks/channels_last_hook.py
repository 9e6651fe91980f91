"""Train and test in the channels-last memory format."""
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Store the model's 4-d weights channels-last before it runs.

    A conv whose weight is channels-last produces channels-last outputs, so
    the whole network then runs in NHWC. On CPUs that is oneDNN's native
    layout, and MobileNet's depthwise convs run markedly faster in it
    (docs/cpu.md); on GPUs it enables the tensor-core kernels. Numerics are
    unchanged.
    """

    priority = 'VERY_HIGH'

    def _to_channels_last(self, runner) -> None:
        model = (runner.model.module if is_model_wrapper(runner.model) else
                 runner.model)
        model.to(memory_format=torch.channels_last)

    def before_train(self, runner) -> None:
        self._to_channels_last(runner)

    def before_test(self, runner) -> None:
        self._to_channels_last(runner)
