"""Reading and comparing what training runs leave behind: mmengine's
``scalars.json`` (:mod:`.scalars`), the paper's comparison of attentions on
the demo data, CA's ablations and other backbones
(:mod:`.attention_comparison`, :mod:`.variants`), its progress
(:mod:`.run_progress`) and its report (:mod:`.comparison_report`).
Importing this registers nothing."""
from .attention_comparison import (BASELINE, TASKS, AttentionComparison,
                                   compare_attentions)
from .comparison_report import (comparison_table, metric_summary,
                                plot_comparison, seed_spread_summary,
                                write_comparison)
from .run_progress import RunProgress, format_duration, progress_line
from .scalars import (INDEX_KEYS, read_curves, scalars_file,
                      seconds_per_iteration)
from .variants import (ATTENTION_VARIANTS, VARIANTS, check_variants,
                       variant_overrides, write_variant_config)

__all__ = [
    'ATTENTION_VARIANTS', 'BASELINE', 'INDEX_KEYS', 'TASKS', 'VARIANTS',
    'AttentionComparison', 'RunProgress', 'check_variants',
    'compare_attentions', 'comparison_table', 'format_duration',
    'metric_summary', 'plot_comparison', 'progress_line', 'read_curves',
    'scalars_file', 'seconds_per_iteration', 'seed_spread_summary',
    'variant_overrides', 'write_comparison', 'write_variant_config'
]
