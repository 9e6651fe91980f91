"""mim drives mmca installed from its wheel: ``mim search mmca`` lists the
models of the metafiles, and ``mim train`` / ``mim test`` run the wheel's
tools on a config given by its path in the repository (mim finds it under
``mmca/.mim/configs``), on a tiny generated set, on the CPU."""
import json
import re
from pathlib import Path

import pytest
from test_tools.tiny_demo import CONFIGS, SET_DIRS, make_set, tiny_options

pytestmark = pytest.mark.slow

MAP = re.compile(r'coco/bbox_mAP: ([0-9.]+)')


def test_search_lists_the_metafiles_models_with_their_parameters(
        wheel_venv, metafile_models, tmp_path):
    out = tmp_path / 'search.json'
    result = wheel_venv.run(['-m', 'mim', 'search', 'mmca', '--json',
                             str(out)])
    assert result.returncode == 0, result.stderr[-3000:]
    # one column per field, each a mapping of model name to value
    table = json.loads(out.read_text())
    assert sorted(table['config']) == sorted(metafile_models)
    assert table['parameters'] == {
        name: model['Metadata']['Parameters']
        for name, model in metafile_models.items()}


@pytest.fixture(scope='module')
def mim_run(wheel_venv, once, repo_root):
    """``mim train`` of the detection demo for 2 iterations (8 images, 1
    epoch) on a tiny set: its work dir, set and output."""
    def train(folder: Path) -> None:
        root = make_set(folder / 'set', 'det', repo_root)
        result = wheel_venv.run([
            '-m', 'mim', 'train', 'mmca', CONFIGS['det'], '--gpus', '0',
            *tiny_options('det', root, folder / 'work_dir', length=1),
            'train_dataloader.dataset.indices=8'])
        assert result.returncode == 0, result.stderr[-3000:]
        (folder / 'stdout.txt').write_text(result.stdout)

    folder = once('mim_train', train)
    return (folder / 'work_dir', folder / 'set' / SET_DIRS['det'],
            (folder / 'stdout.txt').read_text())


def test_train_runs_the_wheels_tool_on_the_wheels_config(mim_run,
                                                         wheel_venv):
    work_dir, _, stdout = mim_run
    mim = wheel_venv.site_packages / 'mmca' / '.mim'
    assert (f'Training command is {wheel_venv.python} {mim}/tools/train.py '
            f'{mim}/{CONFIGS["det"]} --launcher none') in stdout
    assert 'Epoch(train) [1][2/2]' in stdout
    assert (work_dir / 'epoch_1.pth').is_file()


def test_test_evaluates_the_checkpoint_as_training_validated_it(
        mim_run, wheel_venv, tmp_path):
    work_dir, root, train_stdout = mim_run
    options = tiny_options('det', root, tmp_path)
    result = wheel_venv.run([
        '-m', 'mim', 'test', 'mmca', CONFIGS['det'], '--checkpoint',
        str(work_dir / 'epoch_1.pth'), '--gpus', '0', *options])
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'Testing finished successfully' in result.stdout
    # the val and test sets are the same: the same mAP
    assert MAP.findall(result.stdout) == MAP.findall(train_stdout)[-1:]
