"""An :class:`~mmca.analysis.AttentionComparison` as a table, a plot and
files: ``comparison.md``, ``comparison.json`` and ``comparison.png``.

The spread between seeds stands beside each metric: a difference between
attentions smaller than it means nothing.
"""
import json
import os.path as osp
import statistics

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .attention_comparison import AttentionComparison


def comparison_table(comparison: AttentionComparison) -> str:
    """A Markdown table: a row per attention with its params, MAdds,
    latency ratios (if timed), metric per seed, mean and spread."""
    rows, results = comparison.models, comparison.results
    seeds, metric = comparison.seeds, comparison.metric
    timed = 'latency_pytorch' in next(iter(rows.values()))
    head = ['attention', 'params', 'MAdds']
    head += ['latency (PyTorch)', 'latency (ONNX Runtime)'] if timed else []
    head += [f'{metric} (seed {s})' for s in seeds] + ['mean', 'spread']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, row in rows.items():
        values = [results[name][s] for s in seeds]
        cells = [name, f'{row["params"] / 1e6:.3f}M',
                 f'{row["madds"] / 1e6:.1f}M']
        if timed:
            cells += [f'{row["latency_pytorch"]:.3f}',
                      f'{row["latency_onnxruntime"]:.3f}']
        cells += [f'{v:.4g}' for v in values]
        cells += [f'{statistics.mean(values):.4g}',
                  f'{max(values) - min(values):.3g}']
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def seed_spread_summary(comparison: AttentionComparison) -> str:
    """One sentence: the task, config, seeds and the largest spread of the
    metric between seeds."""
    spreads = [max(r.values()) - min(r.values())
               for r in comparison.results.values()]
    return (f'{comparison.task} demo ({comparison.config}), seeds '
            f'{", ".join(map(str, comparison.seeds))}: the largest spread '
            f'between seeds is {max(spreads):.3g} ({comparison.metric}).')


def plot_comparison(comparison: AttentionComparison, path: str) -> None:
    """The metric's mean per attention with the range over seeds as error
    bars and, if timed, the latency ratios beside it, as an image."""
    rows, results = comparison.models, comparison.results
    metric = comparison.metric
    names = list(rows)
    means = [statistics.mean(results[n].values()) for n in names]
    low = [m - min(results[n].values()) for m, n in zip(means, names)]
    high = [max(results[n].values()) - m for m, n in zip(means, names)]
    timed = 'latency_pytorch' in rows[names[0]]
    fig = Figure(figsize=(10 if timed else 5, 3.6))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2 if timed else 1, squeeze=False)
    ax = axes[0, 0]
    ax.bar(names, means, yerr=[low, high], capsize=6, color='tab:blue')
    ax.set_ylabel(f'{metric} (mean; bars: seed range)')
    ax.set_ylim(min(min(r.values()) for r in results.values()) * 0.95,
                max(max(r.values()) for r in results.values()) * 1.02)
    if timed:
        ax = axes[0, 1]
        x = range(len(names))
        ax.bar([i - 0.2 for i in x],
               [rows[n]['latency_pytorch'] for n in names], 0.4,
               label='PyTorch')
        ax.bar([i + 0.2 for i in x],
               [rows[n]['latency_onnxruntime'] for n in names], 0.4,
               label='ONNX Runtime')
        ax.set_xticks(list(x), names)
        ax.axhline(1, color='gray', lw=0.8)
        ax.set_ylabel('latency over no attention (batch 1)')
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
                                for n, r in comparison.results.items()}),
                  f, indent=2)
    plot_comparison(comparison, stem + '.png')
    return stem
