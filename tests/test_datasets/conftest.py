"""What the dataset tests share: the shapes sets, generated once a session."""
from types import SimpleNamespace

import pytest

from mmca.datasets.shapes import generate


@pytest.fixture(scope='session')
def shapes_data(tmp_path_factory):
    """Every shapes set with seed 0 and 12 train + 3 val images, under
    ``.root``; the counts are ``.num_train`` and ``.num_val``. Tests read
    it; one that changes files works on a copy."""
    data = SimpleNamespace(root=tmp_path_factory.mktemp('shapes'),
                           num_train=12, num_val=3)
    generate(data.root, seed=0, num_train=data.num_train,
             num_val=data.num_val)
    return data
