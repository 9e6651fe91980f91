"""Reading and comparing what training runs leave behind: mmengine's
``scalars.json`` (:mod:`.scalars`), the paper's comparison of attentions on
the demo data (:mod:`.attention_comparison`) and its report
(:mod:`.comparison_report`). Importing this registers nothing."""
from .attention_comparison import (ATTENTIONS, BASELINE, TASKS,
                                   AttentionComparison, compare_attentions)
from .comparison_report import (comparison_table, plot_comparison,
                                seed_spread_summary, write_comparison)
from .scalars import INDEX_KEYS, read_curves, scalars_file

__all__ = [
    'ATTENTIONS', 'BASELINE', 'INDEX_KEYS', 'TASKS', 'AttentionComparison',
    'compare_attentions', 'comparison_table', 'plot_comparison',
    'read_curves', 'scalars_file', 'seed_spread_summary', 'write_comparison'
]
