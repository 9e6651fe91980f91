"""Harnesses that exercise the tools over whole runs, as mmengine keeps
``mmengine/testing``: the kill-and-resume check of ``tools/train.py``
(:mod:`.kill_resume`) and the resident memory over CA calls and a training
run (:mod:`.rss_check`). The kill-and-resume harness drives
``tools/train.py`` and reads its config as the tools do, and so this folder
sits above :mod:`mmca.cli`, as :mod:`mmca.analysis` does. Importing this
registers nothing."""
from .kill_resume import Attempt, attempts_table, kill_and_resume, passed
from .rss_check import (RssHook, op_rss, rss_line, training_rss,
                        training_rss_report)

__all__ = [
    'Attempt', 'RssHook', 'attempts_table', 'kill_and_resume', 'op_rss',
    'passed', 'rss_line', 'training_rss', 'training_rss_report'
]
