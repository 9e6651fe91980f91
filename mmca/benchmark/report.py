"""The benchmarks' results as Markdown tables and bar plots.

Each table function takes what a ``benchmark_*`` function returned and
gives the text ``tools/analysis_tools/benchmark.py`` prints: a title, a
blank line and the table, a row per shape or batch size. Each plot
function writes a PNG of the ratios (block) or the throughput (models).
"""
import os.path as osp
from typing import Dict, List

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .block import EVAL_GOALS, TRAIN_GOALS
from .kernels import KERNELS
from .update_step import UPDATE_STEP_PAIRS


def _shape_label(row: Dict) -> str:
    label = 'x'.join(str(v) for v in row['shape'])
    return label + (' (NHWC)' if row['channels_last'] else '')


def _verdict(ratio: float, goal: float) -> str:
    return f'{ratio:.2f} ({"ok" if ratio <= goal else "MISSED"})'


def block_eval_table(rows: List[Dict]) -> str:
    """:func:`~mmca.benchmark.benchmark_block_eval` rows: our time over
    each reference's against :data:`EVAL_GOALS`, our ms, the output diff."""
    goals = ', '.join(f'{k} <= {v}' for k, v in EVAL_GOALS.items())
    lines = [f'CA block, eval. Our time over each reference (goal: {goals})',
             '', '| N x C x H x W | ours / paper | ours / timm | ours / floor '
             '| ours ms | max abs diff |', '|---|---|---|---|---|---|']
    for row in rows:
        cells = [_shape_label(row)] + [
            _verdict(row['ratio'][k], goal) for k, goal in EVAL_GOALS.items()
        ] + [f'{row["ms"]["mmca"]:.3f}', f'{row["max_abs_diff"]:.1e}']
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def block_train_table(rows: List[Dict]) -> str:
    """:func:`~mmca.benchmark.benchmark_block_train` rows: time and saved
    activations over the paper's against :data:`TRAIN_GOALS`."""
    lines = ['CA block, train mode forward + backward, against the paper\'s '
             'formulation (goal: both <= 1)', '',
             '| N x C x H x W | time ratio | saved activations ratio | '
             'saved MiB (ours / paper) |', '|---|---|---|---|']
    for row in rows:
        saved = row['saved_mib']
        lines.append(
            f'| {_shape_label(row)} | '
            f'{_verdict(row["ratio"]["time"], TRAIN_GOALS["time"])} | '
            f'{_verdict(row["ratio"]["memory"], TRAIN_GOALS["memory"])} | '
            f'{saved["mmca"]:.1f} / {saved["paper"]:.1f} |')
    return '\n'.join(lines)


def kernels_table(rows: List[Dict]) -> str:
    """:func:`~mmca.benchmark.benchmark_kernels` rows: each kernel's time
    over its plain form's, and the kernel's ms."""
    lines = ['Each C++ kernel\'s time over its plain ATen form (below 1: the '
             'kernel is faster)', '',
             '| N x C x H x W | ' + ' | '.join(KERNELS) + ' |',
             '|---|' + '---|' * len(KERNELS)]
    for row in rows:
        cells = [f'{row["ratio"][k]:.2f} ({row["ms"][k]["kernel"]:.3f} ms)'
                 for k in KERNELS]
        lines.append(f'| {_shape_label(row)} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def update_step_table(result: Dict) -> str:
    """:func:`~mmca.benchmark.benchmark_update_step`'s result: each pair's
    time ratio (ours over mmengine's or mmdet's) and ms."""
    groups = result['param_groups']
    lines = [
        f'{result["config"]}: the update step, ours over theirs (below 1: '
        'ours is faster)', '',
        '| part | ours | theirs | time ratio | ms (ours / theirs) |',
        '|---|---|---|---|---|'
    ]
    for pair, (ours, theirs) in UPDATE_STEP_PAIRS.items():
        ms = result['ms'][pair]
        names = [ours, theirs]
        if pair == 'optimizer step':
            names = [f'{n} ({groups[n]} groups)' for n in names]
        lines.append(f'| {pair} | {names[0]} | {names[1]} | '
                     f'{result["ratio"][pair]:.2f} | '
                     f'{ms[ours]:.2f} / {ms[theirs]:.2f} |')
    return '\n'.join(lines)


def models_table(result: Dict, names: List[str]) -> str:
    """The ``batches`` of ``result`` (as
    :func:`~mmca.benchmark.benchmark_models` or
    :func:`~mmca.benchmark.benchmark_in_runtime` give them) for ``names``,
    the model and its baseline: latency ratio, ms and images/s, and where
    the models ran in a runtime, their outputs' distance to PyTorch's."""
    config, baseline = names
    deployed = any('parity' in row for row in result['batches'].values())
    parity = (' max abs diff to PyTorch, of outputs up to (model / '
              'baseline) |' if deployed else '')
    lines = [config, f'  over {baseline}', '',
             '| batch | latency ratio | ms (model / baseline) | images/s '
             '(model / baseline) |' + parity,
             '|---|---|---|---|' + ('---|' if deployed else '')]
    for batch, row in result['batches'].items():
        ms, ips = row['ms'], row['images_per_s']
        diffs = ' / '.join(
            '{max_abs_diff:.1e} of {max_abs_output:.2g}'.format(
                **row['parity'][name]) for name in names) \
            if 'parity' in row else ''
        lines.append(f'| {batch} | {row["ratio"][config]:.3f} | '
                     f'{ms[config]:.1f} / {ms[baseline]:.1f} | '
                     f'{ips[config]:.1f} / {ips[baseline]:.1f} |' +
                     (f' {diffs} |' if diffs else ''))
    return '\n'.join(lines)


def int8_table(result: Dict, names: List[str]) -> str:
    """For a run of :func:`~mmca.benchmark.benchmark_in_runtime` with
    ``int8``: per batch, the model's INT8 latency over the baseline's INT8
    one (median of the side-by-side ratios), both models' ms in INT8 and
    fp32, and each model's speed-up from fp32 to INT8."""
    from .deployed import int8_name
    config, baseline = names
    q_config, q_baseline = int8_name(config), int8_name(baseline)
    lines = [config, f'  over {baseline}, both in INT8', '',
             '| batch | INT8 latency ratio | INT8 ms (model / baseline) | '
             'fp32 ms (model / baseline) | INT8 speed-up over fp32 '
             '(model / baseline) |', '|---|---|---|---|---|']
    for batch, row in result['batches'].items():
        ms, ratio = row['ms'], row['ratio']
        lines.append(
            f'| {batch} | {ratio[q_config]:.3f} | '
            f'{ms[q_config]:.1f} / {ms[q_baseline]:.1f} | '
            f'{ms[config]:.1f} / {ms[baseline]:.1f} | '
            f'{ms[config] / ms[q_config]:.2f}x / '
            f'{ms[baseline] / ms[q_baseline]:.2f}x |')
    return '\n'.join(lines)


def profiles_table(profiles: Dict, names: List[str], batch: int,
                   backend: str) -> str:
    """Each model's ms per run by operator type (a runtime's
    ``Backend.profile``), the slowest operator first, and the total."""
    ops = sorted(set().union(*(p.keys() for p in profiles.values())),
                 key=lambda op: -max(p.get(op, 0.) for p in profiles.values()))
    lines = [f'{backend} ms per run at batch {batch}, by operator',
             '| op | ' + ' | '.join(osp.basename(n) for n in names) + ' |',
             '|---|---|---|']
    for op in ops + ['total']:
        cells = [sum(profiles[n].values()) if op == 'total'
                 else profiles[n].get(op, 0.) for n in names]
        lines.append(f'| {op} | ' + ' | '.join(f'{c:.2f}' for c in cells) +
                     ' |')
    return '\n'.join(lines)


def plot_block(rows: List[Dict], path: str, train: bool) -> None:
    """Bars of our ratio over each reference per shape, written to ``path``
    (a PNG); 1 is drawn as a line."""
    labels = [_shape_label(r) for r in rows]
    keys = list(TRAIN_GOALS if train else EVAL_GOALS)
    fig = Figure(figsize=(1.6 * len(rows) + 2, 4))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    width = 0.8 / len(keys)
    for i, key in enumerate(keys):
        ax.bar([x + i * width for x in range(len(rows))],
               [r['ratio'][key] for r in rows], width, label=f'ours / {key}')
    ax.axhline(1.0, color='gray', lw=0.8)
    ax.set_xticks([x + width * (len(keys) - 1) / 2 for x in range(len(rows))])
    ax.set_xticklabels(labels, rotation=15, fontsize=8)
    ax.set_ylabel('time ratio (lower is better)' if not train else 'ratio')
    ax.set_title('CoordAttention ' + ('training' if train else 'inference'))
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def plot_models(result: Dict, names: List[str], path: str) -> None:
    """Bars of each model's images/s per batch size, written to ``path``
    (a PNG)."""
    batches = list(result['batches'])
    fig = Figure(figsize=(5, 4))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        ax.bar([x + i * width for x in range(len(batches))],
               [result['batches'][b]['images_per_s'][name] for b in batches],
               width, label=osp.basename(name))
    ax.set_xticks([x + width * (len(names) - 1) / 2
                   for x in range(len(batches))])
    ax.set_xticklabels([f'batch {b}' for b in batches])
    ax.set_ylabel('images / s')
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
