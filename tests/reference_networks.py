"""What the parity tests do to the networks mmca is checked against
(mmpretrain's and timm's MobileNetV3 and EfficientNet). Test modules import
it as ``from reference_networks import ...``, as ``tool_process``."""
import torch
import torch.nn as nn


def randomized(model: nn.Module) -> nn.Module:
    """``model`` in eval mode with every weight and norm statistic drawn
    from a seeded generator (positive variances), so that no two layers
    agree by chance."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            noise = torch.rand(tensor.shape, generator=generator)
            tensor.copy_(noise + 0.5 if name.endswith('running_var') else
                         (noise - 0.5) * 0.6)
    model.eval()       # mmpretrain's MobileNetV3.train() returns None
    return model


def timm_stage_maps(model: nn.Module, x: torch.Tensor) -> list:
    """The output of each stage of timm's MobileNetV3 or EfficientNet."""
    x = model.bn1(model.conv_stem(x))
    maps = []
    for stage in model.blocks:
        x = stage(x)
        maps.append(x)
    return maps
