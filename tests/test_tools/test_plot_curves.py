"""tools/analysis_tools/plot_curves.py on scalars.json files written here."""
import json

import pytest
from tool_process import error_line, run_tool

TOOL = 'tools/analysis_tools/plot_curves.py'
pytestmark = pytest.mark.slow  # each test starts the tool


def write_run(root, losses, metric):
    vis = root / '20261130_000000' / 'vis_data'
    vis.mkdir(parents=True)
    records = [dict(lr=0.01, loss=loss, step=10 * (i + 1), epoch=1, iter=i)
               for i, loss in enumerate(losses)]
    records.append({'accuracy/top1': metric, 'step': 1})
    (vis / 'scalars.json').write_text(
        ''.join(json.dumps(r) + '\n' for r in records))


def run(repo_root, *args):
    return run_tool([TOOL, *args], repo_root)


def test_two_runs_in_one_plot_with_their_last_values(repo_root, tmp_path):
    write_run(tmp_path / 'ca', [2.0, 1.2, 0.7], 91.5)
    write_run(tmp_path / 'plain', [2.1, 1.5, 0.9], 88.0)
    out = tmp_path / 'plots' / 'curves.png'
    result = run(repo_root, str(tmp_path / 'ca'), str(tmp_path / 'plain'),
                 '--keys', 'loss', 'accuracy/top1', '--out', str(out))
    assert result.returncode == 0, result.stderr
    assert 'ca: loss = 0.7 at step 30' in result.stdout
    assert 'plain: accuracy/top1 = 88 at step 1' in result.stdout
    assert out.stat().st_size > 5000
    # without --keys: what both runs share, index keys left out
    result = run(repo_root, str(tmp_path / 'ca'), str(tmp_path / 'plain'),
                 '--out', str(out))
    assert 'ca: lr = 0.01' in result.stdout and 'epoch' not in result.stdout


def test_unknown_key_names_the_keys_there_are(repo_root, tmp_path):
    write_run(tmp_path / 'ca', [1.0], 50.0)
    result = run(repo_root, str(tmp_path / 'ca'), '--keys', 'coco/bbox_mAP')
    assert ('error: run ca has no coco/bbox_mAP; its keys are '
            'accuracy/top1, loss, lr') in error_line(result)
