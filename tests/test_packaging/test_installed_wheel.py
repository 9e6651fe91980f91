"""mmca installed from its wheel, with nothing of the checkout on the path:
it imports, loads its C++ ops (sharing this environment's build, which it
never rebuilds), and lists and builds the models of its metafiles."""
import json
import os
from pathlib import Path
from typing import Dict, Tuple

import pytest

from mmca.ops import extension, load_ops

pytestmark = pytest.mark.slow

#: Run in the wheel's venv: where mmca comes from, the ops' build and one
#: op against plain torch, and the model index as mmca.list_models gives it.
PROBE = '''
import json, os, sys, time
import torch
import mmca
from mmca.ops import extension, load_ops
start = time.time()
loaded = load_ops()
seconds = time.time() - start
x = torch.randn(2, 8, 5, 7)
strips = torch.ops.mmca.strip_mean(x) if loaded else None
name = sys.argv[1]
model = mmca.get_model(name)
print(json.dumps(dict(
    mmca=os.path.dirname(mmca.__file__),
    path=[os.path.abspath(p) for p in sys.path],
    loaded=loaded, load_seconds=seconds,
    build_dir=extension.build_directory(*extension.build_settings()),
    strip_error=float((strips - torch.cat([x.mean(3), x.mean(2)], 2)).abs()
                      .max()) if loaded else None,
    models=mmca.list_models(), model_name=name,
    parameters=sum(p.numel() for p in model.parameters()))))
'''


def build_state(build_dir: str) -> Tuple[str, Dict[str, int]]:
    """The build's ninja log and the time stamps of its objects and
    library: what a rebuild changes."""
    stamps = {name: os.stat(os.path.join(build_dir, name)).st_mtime_ns
              for name in os.listdir(build_dir)
              if name.endswith(('.o', '.so'))}
    return Path(build_dir, '.ninja_log').read_text(), stamps


@pytest.fixture(scope='module')
def probe(wheel_venv, metafile_models, once):
    """What :data:`PROBE` reports for the smallest model of the metafiles,
    and this environment's build of the ops before and after it ran."""
    def run(folder: Path) -> None:
        assert load_ops()   # this environment's build exists
        build_dir = extension.build_directory(*extension.build_settings())
        before = build_state(build_dir)
        name = min(metafile_models, key=lambda n: metafile_models[n][
            'Metadata']['Parameters'])
        result = wheel_venv.run(['-c', PROBE, name])
        assert result.returncode == 0, result.stderr[-3000:]
        report = json.loads(result.stdout.strip().splitlines()[-1])
        report.update(this_build_dir=build_dir, before=before,
                      after=build_state(build_dir))
        (folder / 'report.json').write_text(json.dumps(report))

    return json.loads((once('probe', run) / 'report.json').read_text())


def test_imports_from_the_wheel_with_no_checkout_on_the_path(
        probe, wheel_venv, repo_root):
    assert Path(probe['mmca']) == wheel_venv.site_packages / 'mmca'
    assert os.path.abspath(repo_root) not in probe['path']


def test_loads_the_ops_from_this_environments_build_without_rebuilding_it(
        probe):
    assert probe['loaded']
    assert probe['strip_error'] < 1e-6
    # the same sources against the same torch: one build, which the other
    # install loads as it is
    assert probe['build_dir'] == probe['this_build_dir']
    assert probe['after'] == probe['before']


def test_lists_and_builds_the_models_of_the_metafiles(probe,
                                                      metafile_models):
    assert sorted(probe['models']) == sorted(metafile_models)
    assert probe['parameters'] == metafile_models[probe['model_name']][
        'Metadata']['Parameters']
