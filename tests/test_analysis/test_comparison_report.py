"""mmca.analysis.comparison_report: the table and files of a comparison."""
import json

from mmca.analysis import (AttentionComparison, comparison_table,
                           seed_spread_summary, write_comparison)


def comparison(**models_extra) -> AttentionComparison:
    models = {'none': dict(params=2e6, madds=5e7, **models_extra),
              'ca': dict(params=2.2e6, madds=5.1e7, **models_extra)}
    results = {'none': {0: 90.0, 1: 92.0}, 'ca': {0: 93.0, 1: 93.5}}
    return AttentionComparison('cls', 'configs/demo/mbv2_ca_shapes_cls.py',
                               'accuracy/top1', [0, 1], models, results)


def test_table_gives_mean_and_seed_spread():
    lines = comparison_table(comparison()).splitlines()
    assert lines[0].split('|')[-3:-1] == [' mean ', ' spread ']
    assert lines[2].split('|')[-3:-1] == [' 91 ', ' 2 ']
    assert lines[3].split('|')[-3:-1] == [' 93.25 ', ' 0.5 ']
    assert 'latency' not in lines[0]


def test_table_has_latency_columns_when_timed():
    timed = comparison(latency_pytorch=1.1, latency_onnxruntime=1.2)
    head, _, none_row, _ = comparison_table(timed).splitlines()
    assert '| latency (PyTorch) | latency (ONNX Runtime) |' in head
    assert '| 1.100 | 1.200 |' in none_row


def test_summary_names_the_largest_seed_spread():
    assert seed_spread_summary(comparison()) == (
        'cls demo (configs/demo/mbv2_ca_shapes_cls.py), seeds 0, 1: the '
        'largest spread between seeds is 2 (accuracy/top1).')


def test_writes_markdown_json_and_plot(tmp_path):
    stem = write_comparison(comparison(), str(tmp_path))
    assert stem == str(tmp_path / 'comparison')
    markdown = (tmp_path / 'comparison.md').read_text()
    assert markdown.startswith('| attention |')
    assert markdown.endswith('(accuracy/top1).\n')
    with open(tmp_path / 'comparison.json') as f:
        record = json.load(f)
    assert record['results'] == {'none': {'0': 90.0, '1': 92.0},
                                 'ca': {'0': 93.0, '1': 93.5}}
    assert record['models']['ca']['params'] == 2.2e6
    assert (tmp_path / 'comparison.png').stat().st_size > 1000
