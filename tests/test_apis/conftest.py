"""What the API tests share: checkpoints of a config's model with seeded
random weights, written as a training run writes them."""
import os
import os.path as osp

import pytest
import torch

from mmca.apis import build_inference_model
from mmca.cli import load_config


@pytest.fixture
def random_weights(repo_root):
    """``save(config, path, seed=0)``: the model of ``config`` (relative to
    the repo) with seeded random weights, its BN statistics too (a fresh
    model has them at 0 and 1), saved as a runner checkpoint at ``path``;
    returns its state dict."""
    def save(config: str, path: str, seed: int = 0) -> dict:
        torch.manual_seed(seed)
        model = build_inference_model(
            load_config(osp.join(repo_root, config)))
        for name, buffer in model.named_buffers():
            if name.endswith(('running_mean', 'running_var')):
                buffer.uniform_(0.5, 1.5)
        os.makedirs(osp.dirname(path) or '.', exist_ok=True)
        torch.save({'meta': {}, 'state_dict': model.state_dict()}, path)
        return model.state_dict()
    return save
