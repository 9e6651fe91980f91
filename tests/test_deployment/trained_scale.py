"""Random-weight networks with the activation magnitudes of trained ones,
for the deployment tests (pytest's default import mode puts this folder on
``sys.path``)."""
import torch
import torch.nn as nn


def calibrate_batch_norms(model, shape, batches=2):
    """Running statistics gathered from data, as training leaves them, so
    activations have the magnitudes of a trained network."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None                      # cumulative average
    model.train()
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(4, 3, *shape, generator=generator))
        # Units that random weights leave dead (ReLU6 at 0, the 1x1 top
        # levels) get variances near 0, and BN would scale float32 rounding
        # up to 30-fold there: no trained network keeps such a scale.
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_var.clamp_(min=1e-2)
    return model.eval()
