"""mmca.analysis.comparison_report: the table and files of a comparison."""
import json

import matplotlib.image
import pytest

from mmca.analysis import (AttentionComparison, comparison_table,
                           metric_summary, seed_spread_summary,
                           write_comparison)


def comparison(**models_extra) -> AttentionComparison:
    models = {'none': dict(params=2e6, madds=5e7, **models_extra),
              'ca': dict(params=2.2e6, madds=5.1e7, **models_extra)}
    results = {'none': {0: 90.0, 1: 92.0, 2: 92.5},
               'ca': {0: 93.0, 1: 93.5, 2: 93.1}}
    return AttentionComparison('positions',
                               'configs/demo/mbv2_ca_positions_cls.py',
                               'accuracy/top1', [0, 1, 2], models, results)


def cells(line):
    return [cell.strip() for cell in line.split('|')[1:-1]]


def test_summary_is_the_mean_and_range_over_seeds():
    summary = metric_summary(comparison())
    assert summary['none']['mean'] == 91.5 and summary['none']['spread'] == 2.5
    assert summary['ca']['mean'] == pytest.approx(93.2)
    assert summary['ca']['spread'] == pytest.approx(0.5)


def test_summary_has_the_difference_from_none_seed_by_seed():
    summary = metric_summary(comparison())
    assert summary['none']['difference'] == dict(mean=0, spread=0)
    # ca - none: 3, 1.5 and 0.6 on seeds 0, 1 and 2
    assert summary['ca']['difference'] == pytest.approx(
        dict(mean=1.7, spread=2.4))
    without_none = comparison()
    del without_none.results['none'], without_none.models['none']
    assert 'difference' not in metric_summary(without_none)['ca']


def test_table_has_the_papers_columns_and_mean_with_spread():
    head, rule, none_row, ca_row = comparison_table(comparison()).split('\n')
    assert cells(head) == ['variant', 'params', 'MAdds',
                           'accuracy/top1 (mean ± spread)',
                           'vs none, per seed (mean ± spread)',
                           'seeds 0, 1, 2']
    assert rule == '|---|---|---|---|---|---|'
    assert cells(none_row) == ['none', '2.000M', '50.0M', '91.5 ± 2.5',
                               '+0 ± 0', '90, 92, 92.5']
    assert cells(ca_row) == ['ca', '2.200M', '51.0M', '93.2 ± 0.5',
                             '+1.7 ± 2.4', '93, 93.5, 93.1']


def test_table_leaves_out_the_difference_without_none():
    without_none = comparison()
    del without_none.results['none'], without_none.models['none']
    head, _, ca_row = comparison_table(without_none).split('\n')
    assert cells(head)[3:] == ['accuracy/top1 (mean ± spread)',
                               'seeds 0, 1, 2']
    assert cells(ca_row)[3:] == ['93.2 ± 0.5', '93, 93.5, 93.1']


def test_table_has_latency_columns_when_timed():
    timed = comparison(latency_pytorch=1.1, latency_onnxruntime=1.2)
    head, _, none_row, _ = comparison_table(timed).split('\n')
    assert cells(head)[3:5] == ['latency (PyTorch)', 'latency (ONNX Runtime)']
    assert cells(none_row)[3:5] == ['1.100', '1.200']


def test_summary_names_the_largest_seed_spread():
    assert seed_spread_summary(comparison()) == (
        'positions demo (configs/demo/mbv2_ca_positions_cls.py), seeds 0, '
        '1, 2: the largest spread between seeds is 2.5 (accuracy/top1).')


def test_writes_markdown_json_and_plot_that_read_back(tmp_path):
    timed = comparison(latency_pytorch=1.1, latency_onnxruntime=1.2)
    stem = write_comparison(timed, str(tmp_path))
    assert stem == str(tmp_path / 'comparison')
    markdown = (tmp_path / 'comparison.md').read_text()
    assert markdown == (f'{comparison_table(timed)}\n\n'
                        f'{seed_spread_summary(timed)}\n')
    with open(tmp_path / 'comparison.json') as f:
        record = json.load(f)
    assert record['results'] == {'none': {'0': 90.0, '1': 92.0, '2': 92.5},
                                 'ca': {'0': 93.0, '1': 93.5, '2': 93.1}}
    assert record['models']['ca'] == dict(params=2.2e6, madds=5.1e7,
                                          latency_pytorch=1.1,
                                          latency_onnxruntime=1.2)
    assert record['summary']['none'] == dict(
        mean=91.5, spread=2.5, difference=dict(mean=0, spread=0))
    assert record['seeds'] == [0, 1, 2] and record['task'] == 'positions'
    image = matplotlib.image.imread(tmp_path / 'comparison.png')
    height, width = image.shape[:2]
    assert width > height > 100         # two panels side by side
    assert image[..., :3].std() > 0.05  # something is drawn
