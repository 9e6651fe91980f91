"""Start-up checks: a user's mistake found before any work starts.

Every check raises :class:`~mmca.utils.InputError` with one line that names
the problem and the fix; the tools report it through
:func:`mmca.cli.run_tool`, which also undoes what a refused run wrote in
its work dir (:func:`restore_work_dirs`). One check per module.
"""
from .cfg_options import check_cfg_options
from .checkpoint import check_checkpoint_matches
from .datasets import check_datasets, check_json_file, check_xml_file
from .pretrained import check_pretrained
from .task import TASK_SCOPES, check_task
from .work_dir import check_work_dir, restore_work_dirs

__all__ = [
    'TASK_SCOPES', 'check_cfg_options', 'check_checkpoint_matches',
    'check_datasets', 'check_json_file', 'check_xml_file',
    'check_pretrained', 'check_task', 'check_work_dir', 'restore_work_dirs'
]
