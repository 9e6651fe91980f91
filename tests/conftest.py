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

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT


@pytest.fixture
def shapes_image(tmp_path) -> str:
    """Two shapes on a dark ground, not square, as an image file."""
    image = np.full((80, 96, 3), 30, np.uint8)
    cv2.circle(image, (40, 35), 20, (200, 180, 40), -1)
    cv2.rectangle(image, (60, 50), (90, 75), (40, 200, 220), -1)
    path = tmp_path / 'shapes.png'
    cv2.imwrite(str(path), image)
    return str(path)
