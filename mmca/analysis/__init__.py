"""Experiments over trained runs: the paper's comparison of attentions on
the demo data (:mod:`.attention_comparison`) and its report
(:mod:`.comparison_report`). Importing this registers nothing."""
from .attention_comparison import (ATTENTIONS, BASELINE, TASKS,
                                   AttentionComparison, compare_attentions)
from .comparison_report import (comparison_table, plot_comparison,
                                seed_spread_summary, write_comparison)

__all__ = [
    'ATTENTIONS', 'BASELINE', 'TASKS', 'AttentionComparison',
    'compare_attentions', 'comparison_table', 'plot_comparison',
    'seed_spread_summary', 'write_comparison'
]
