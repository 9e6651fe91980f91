import os
import sys

import pytest
import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The tools are scripts, not package modules; tests import their helpers.
sys.path.insert(0, REPO_ROOT)
torch.set_num_threads(2)


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT
