"""tools/make_demo_data.py hands its flags to mmca.datasets.shapes.generate,
whose sets tests/test_datasets/test_shapes.py checks."""
import json

import pytest
from tool_process import error_line, run_tool

SCRIPT = 'tools/make_demo_data.py'
pytestmark = pytest.mark.slow  # each test starts the tool


def test_flags_choose_the_sets_their_counts_and_seed(repo_root, tmp_path):
    result = run_tool([SCRIPT, '--out', str(tmp_path), '--tasks', 'cls',
                       '--num-train', '3', '--num-val', '2', '--seed', '4'],
                      repo_root)
    assert result.returncode == 0, result.stderr[-2000:]
    assert [path.name for path in tmp_path.iterdir()] == ['imagenet_shapes']
    root = tmp_path / 'imagenet_shapes'
    assert json.loads((root / '.complete.json').read_text()) == dict(
        seed=4, counts=dict(train=3, val=2))
    assert f'{root}: wrote 3 train + 2 val images' in result.stdout


def test_a_negative_seed_is_one_error_line(repo_root, tmp_path):
    result = run_tool([SCRIPT, '--out', str(tmp_path), '--seed', '-1'],
                      repo_root)
    assert error_line(result) == \
        'error: --seed -1 is negative; give a seed of 0 or more'
    assert not any(tmp_path.iterdir())
