"""What the tool tests share: tiny generated sets and runs of the demo
configs (made once a session) and random weights; the picture is
``shapes_image`` of tests/conftest.py."""
import pytest
import torch
# pytest's default (prepend) import mode puts this folder and tests/ (the
# conftest.py folders) on sys.path
from tiny_demo import CONFIGS, make_set, tiny_options
from tool_process import run_tool

from mmca.apis import build_inference_model
from mmca.cli import load_config
from mmca.models.attention import records_gates


@pytest.fixture(scope='session')
def tiny_set(tmp_path_factory, repo_root):
    """``tiny_set(task)``: the root of the task's tiny generated set (sizes
    in ``tiny_demo.SIZES``), made on first use. Tests read it; one that
    changes files works on a copy."""
    roots = {}

    def get(task: str):
        if task not in roots:
            roots[task] = make_set(tmp_path_factory.mktemp(f'{task}_set'),
                                   task, repo_root)
        return roots[task]
    return get


@pytest.fixture(scope='session')
def tiny_run(tiny_set, tmp_path_factory, repo_root):
    """``tiny_run(task)``: the work dir of ``tools/train.py`` run on the
    task's tiny set with ``tiny_options``, trained on first use. Its last
    checkpoint is ``tiny_demo.last_checkpoint_name(task)``, what it printed
    ``train.stdout``. Tests read it;
    one that continues the run works on a copy."""
    work_dirs = {}

    def get(task: str):
        if task not in work_dirs:
            work_dir = tmp_path_factory.mktemp(f'{task}_run')
            result = run_tool(['tools/train.py', CONFIGS[task],
                               *tiny_options(task, tiny_set(task), work_dir)],
                              repo_root)
            assert result.returncode == 0, result.stderr[-3000:]
            (work_dir / 'train.stdout').write_text(result.stdout)
            work_dirs[task] = work_dir
        return work_dirs[task]
    return get


@pytest.fixture
def random_checkpoint(tmp_path):
    """``save(config)``: the config's model with seeded random weights,
    saved as a checkpoint; its path and number of attention layers."""
    def save(config: str):
        torch.manual_seed(0)
        model = build_inference_model(load_config(config))
        path = tmp_path / 'weights.pth'
        torch.save({'state_dict': model.state_dict()}, path)
        return str(path), sum(records_gates(m) for m in model.modules())
    return save
