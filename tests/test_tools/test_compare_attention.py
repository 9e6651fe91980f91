"""tools/analysis_tools/compare_attention.py on a tiny classification set:
a run per attention, read back from its own log, the table, JSON and
plot, and runs kept on a second call. The table itself:
tests/test_analysis/test_comparison_report.py."""
import json

import pytest
from tool_process import run_tool

TOOL = 'tools/analysis_tools/compare_attention.py'
pytestmark = pytest.mark.slow  # trains a run per attention


def test_trains_each_attention_and_seed_then_tabulates(tiny_set, repo_root,
                                                       tmp_path):
    root = tiny_set('cls')
    work = tmp_path / 'compare'
    options = ['--task', 'cls', '--attentions', 'none', 'ca', '--seeds', '3',
               '--work-dir', str(work), '--rounds', '2', '--cfg-options',
               *(f'{s}_dataloader.dataset.data_root={root}/'
                 for s in ('train', 'val', 'test')),
               'train_dataloader.batch_size=8', 'train_cfg.max_epochs=1',
               'train_cfg.val_interval=1']
    first = run_tool([TOOL, *options], repo_root)
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout.count(': training') == 2
    assert 'ETA' in first.stdout          # from the second run on

    with open(work / 'comparison.json') as f:
        result = json.load(f)
    assert set(result['results']) == {'none', 'ca'}
    models = result['models']
    # CA adds its strip convolutions: more parameters and MAdds than none
    assert models['ca']['params'] > models['none']['params']
    assert models['ca']['madds'] > models['none']['madds']
    assert models['none']['latency_pytorch'] == 1.0
    assert models['ca']['latency_onnxruntime'] > 0
    # each metric is the run's own last validation, as its log has it
    for name in ('none', 'ca'):
        for seed in ('3', ):
            log = (work / f'{name}_seed{seed}' / 'train.out').read_text()
            value = result['results'][name][seed]
            assert 0 <= value <= 100
            assert f'accuracy/top1: {value:.4f}' in log
    table = (work / 'comparison.md').read_text()
    assert '| ca |' in table and 'spread' in table
    assert (work / 'comparison.png').stat().st_size > 1000

    again = run_tool([TOOL, *options, '--no-latency'], repo_root)
    assert again.returncode == 0, again.stderr[-3000:]
    assert ': training' not in again.stdout
    assert again.stdout.count('kept from an earlier run') == 2
