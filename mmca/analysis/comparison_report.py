"""An :class:`~mmca.analysis.AttentionComparison` as a table, a plot and
files: ``comparison.md``, ``comparison.json`` and ``comparison.png``.

The table has the paper's form (a row per variant: params, MAdds, the
latency ratio over no attention, the metric), with the metric as its mean
over seeds and its spread (max - min over seeds) beside it: a difference
between variants smaller than the spread means nothing.

With the baseline (no attention) among the variants, a column gives each
variant's difference from it seed by seed, as mean ± spread. A seed fixes
the order of the training samples for every variant alike; where that
order helps or hinders the variants alike, the difference within a seed
varies less than either metric, and its spread says whether a variant's
lead holds on every seed. Where it does not, the difference's spread is
as wide as the metrics', and says so.
"""
import json
import os.path as osp
import statistics
from typing import Dict, List

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .attention_comparison import BASELINE, AttentionComparison


def _mean_spread(values: List[float]) -> Dict[str, float]:
    return dict(mean=statistics.mean(values),
                spread=max(values) - min(values))


def metric_summary(comparison: AttentionComparison) -> Dict[str, dict]:
    """Variant name -> ``mean`` and ``spread`` (max - min) of its metric
    over the seeds and, if :data:`BASELINE` is among the variants,
    ``difference``: the mean and spread over the seeds of its metric minus
    the baseline's of the same seed."""
    results, seeds = comparison.results, comparison.seeds
    summary = {}
    for name, by_seed in results.items():
        summary[name] = _mean_spread([by_seed[s] for s in seeds])
        if BASELINE in results:
            summary[name]['difference'] = _mean_spread(
                [by_seed[s] - results[BASELINE][s] for s in seeds])
    return summary


def comparison_table(comparison: AttentionComparison) -> str:
    """A Markdown table: a row per variant with its params, MAdds, latency
    ratios (if timed), the metric's mean ± spread over seeds, its
    difference from :data:`BASELINE` seed by seed (if that was run) and
    its value per seed."""
    rows, results = comparison.models, comparison.results
    summary = metric_summary(comparison)
    timed = 'latency_pytorch' in next(iter(rows.values()))
    head = ['variant', 'params', 'MAdds']
    head += ['latency (PyTorch)', 'latency (ONNX Runtime)'] if timed else []
    head += [f'{comparison.metric} (mean ± spread)']
    paired = BASELINE in results
    head += [f'vs {BASELINE}, per seed (mean ± spread)'] if paired else []
    head += ['seeds ' + ', '.join(map(str, comparison.seeds))]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, row in rows.items():
        cells = [name, f'{row["params"] / 1e6:.3f}M',
                 f'{row["madds"] / 1e6:.1f}M']
        if timed:
            cells += [f'{row["latency_pytorch"]:.3f}',
                      f'{row["latency_onnxruntime"]:.3f}']
        cells += [f'{summary[name]["mean"]:.4g} ± '
                  f'{summary[name]["spread"]:.3g}']
        if paired:
            difference = summary[name]['difference']
            cells += [f'{difference["mean"]:+.3g} ± '
                      f'{difference["spread"]:.3g}']
        cells += [', '.join(f'{results[name][s]:.4g}'
                            for s in comparison.seeds)]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def seed_spread_summary(comparison: AttentionComparison) -> str:
    """One sentence: the task, config, seeds and the largest spread of the
    metric between seeds."""
    spreads = [s['spread'] for s in metric_summary(comparison).values()]
    return (f'{comparison.task} demo ({comparison.config}), seeds '
            f'{", ".join(map(str, comparison.seeds))}: the largest spread '
            f'between seeds is {max(spreads):.3g} ({comparison.metric}).')


def plot_comparison(comparison: AttentionComparison, path: str) -> None:
    """The metric's mean per variant with the range over seeds as error
    bars and, if timed, the latency ratios beside it, as an image; a row
    per variant, top to bottom in the table's order."""
    rows, results = comparison.models, comparison.results
    names = list(rows)[::-1]        # barh draws the first at the bottom
    summary = metric_summary(comparison)
    means = [summary[n]['mean'] for n in names]
    low = [m - min(results[n].values()) for m, n in zip(means, names)]
    high = [max(results[n].values()) - m for m, n in zip(means, names)]
    timed = 'latency_pytorch' in rows[names[0]]
    fig = Figure(figsize=(10 if timed else 5.5, 1.2 + 0.32 * len(names)))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2 if timed else 1, squeeze=False)
    ax = axes[0, 0]
    y = range(len(names))
    ax.barh(y, means, xerr=[low, high], capsize=4, color='tab:blue')
    ax.set_yticks(list(y), names)
    ax.set_xlabel(f'{comparison.metric} (mean; bars: range over seeds)')
    lowest = min(min(r.values()) for r in results.values())
    highest = max(max(r.values()) for r in results.values())
    margin = max(highest - lowest, 1e-6) * 0.15
    ax.set_xlim(lowest - margin, highest + margin)
    if timed:
        ax = axes[0, 1]
        ax.barh([i + 0.2 for i in y],
                [rows[n]['latency_pytorch'] for n in names], 0.4,
                label='PyTorch')
        ax.barh([i - 0.2 for i in y],
                [rows[n]['latency_onnxruntime'] for n in names], 0.4,
                label='ONNX Runtime')
        ax.set_yticks(list(y), names)
        ax.axvline(1, color='gray', lw=0.8)
        ax.set_xlabel('latency over no attention (batch 1)')
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_comparison(comparison: AttentionComparison, work_dir: str) -> str:
    """``comparison.md`` (table and summary), ``.json`` and ``.png`` in
    ``work_dir``; the path they share without the extension."""
    stem = osp.join(work_dir, 'comparison')
    with open(stem + '.md', 'w') as f:
        f.write(f'{comparison_table(comparison)}\n\n'
                f'{seed_spread_summary(comparison)}\n')
    with open(stem + '.json', 'w') as f:
        json.dump(dict(task=comparison.task, config=comparison.config,
                       metric=comparison.metric, seeds=comparison.seeds,
                       models=comparison.models,
                       results={n: {str(s): v for s, v in r.items()}
                                for n, r in comparison.results.items()},
                       summary=metric_summary(comparison)),
                  f, indent=2)
    plot_comparison(comparison, stem + '.png')
    return stem
