"""Reading and comparing what training runs leave behind: mmengine's
``scalars.json`` (:mod:`.scalars`), the paper's comparison of attentions on
the demo data and CA's ablations (:mod:`.attention_comparison`,
:mod:`.variants`) and its report
(:mod:`.comparison_report`). Importing this registers nothing."""
from .attention_comparison import (BASELINE, TASKS, AttentionComparison,
                                   compare_attentions)
from .comparison_report import (comparison_table, plot_comparison,
                                seed_spread_summary, write_comparison)
from .scalars import INDEX_KEYS, read_curves, scalars_file
from .variants import ATTENTION_VARIANTS, VARIANTS, check_variants

__all__ = [
    'ATTENTION_VARIANTS', 'BASELINE', 'INDEX_KEYS', 'TASKS', 'VARIANTS',
    'AttentionComparison', 'check_variants',
    'compare_attentions', 'comparison_table', 'plot_comparison',
    'read_curves', 'scalars_file', 'seed_spread_summary', 'write_comparison'
]
