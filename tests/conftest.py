import os

# tools/run_tests.sh runs a pytest-xdist worker per core. Most of the suite
# is Python and process start-up, which one core serves; so each worker,
# and each tool process a test starts (the variables are inherited), gets
# the cores divided among the workers rather than all of them, and idle
# OpenMP threads sleep instead of spinning on cores another worker needs.
# Set before torch loads its OpenMP runtime, which reads them once.
WORKERS = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
os.environ.setdefault('OMP_NUM_THREADS',
                      str(max(1, (os.cpu_count() or 1) // WORKERS)))
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import pytest  # noqa: E402
import torch  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT
