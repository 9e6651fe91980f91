"""The work dir: one that can be made and written to, and left as it was
found by a run that is refused.

:func:`check_work_dir` checks the place before anything is written, and
notes what the work dir holds; when a tool then refuses its input (a
config the runner cannot build, a checkpoint that does not fit, ...),
:func:`mmca.cli.run_tool` calls :func:`restore_work_dirs`, which removes
what this process added there: the work dir and the parents it made, the
runner's log dir (found through its logger), ``train.lock`` and the config
dump, the latter put back as it was if it existed. Nothing another process
wrote is touched.
"""
import errno
import json
import os
import os.path as osp
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

from mmengine.config import Config
from mmengine.logging import MMLogger

from mmca.engine.work_dir_lock import LOCK_NAME
from mmca.utils import InputError

#: A config dump larger than this is not kept to be put back.
_MAX_KEPT_DUMP = 2**20


@dataclass
class _Found:
    """What a work dir held when a tool's run began: its entries, the
    folders of its path that were missing (deepest last), and the bytes of
    the config dump a runner would replace."""
    work_dir: str
    config_dump: Optional[str]
    made: List[str] = field(default_factory=list)
    entries: Set[str] = field(default_factory=set)
    dump_bytes: Optional[bytes] = None


_found: Dict[str, _Found] = {}


def check_work_dir(cfg: Config) -> None:
    """Check ``cfg.work_dir`` is a folder this process can make and write
    to, without making it; note what it holds for :func:`restore_work_dirs`.

    Raises:
        InputError: a part of the path is a file, or the nearest existing
            folder (or the work dir itself) does not take new entries.
    """
    work_dir = osp.abspath(cfg.work_dir)
    missing = []
    existing = work_dir
    while not osp.exists(existing):
        missing.insert(0, existing)
        existing = osp.dirname(existing)
    if not osp.isdir(existing):
        raise InputError(
            f'work dir {cfg.work_dir} cannot be made: {existing} is a file, '
            'not a folder. Choose another with --work-dir.')
    problem = _cannot_write(existing)
    if problem:
        what = 'cannot be written to' if existing == work_dir else \
            f'cannot be made: {existing} takes no new folder'
        raise InputError(f'work dir {cfg.work_dir} {what} ({problem}). '
                         'Choose another with --work-dir.')
    found = _Found(work_dir, _config_dump(cfg, work_dir), missing)
    if not missing:
        found.entries = set(os.listdir(work_dir))
        if found.config_dump and osp.isfile(found.config_dump) and \
                osp.getsize(found.config_dump) <= _MAX_KEPT_DUMP:
            with open(found.config_dump, 'rb') as file:
                found.dump_bytes = file.read()
    _found[work_dir] = found


def restore_work_dirs() -> None:
    """Leave each work dir :func:`check_work_dir` saw as it was then: remove
    what this process added, put back a config dump it replaced."""
    ours = _this_process_log_dirs()
    for found in _found.values():
        _restore(found, ours)
    _found.clear()


def _restore(found: _Found, log_dirs: Set[str]) -> None:
    work_dir = found.work_dir
    if not osp.isdir(work_dir):
        return
    for name in set(os.listdir(work_dir)) - found.entries:
        path = osp.join(work_dir, name)
        if path in log_dirs and osp.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        elif path == found.config_dump or \
                (name == LOCK_NAME and _lock_is_ours(path)):
            _remove(path)
    if found.dump_bytes is not None and osp.isfile(found.config_dump):
        with open(found.config_dump, 'rb') as file:
            changed = file.read() != found.dump_bytes
        if changed:
            with open(found.config_dump, 'wb') as file:
                file.write(found.dump_bytes)
    for made in reversed(found.made):   # deepest first; only if now empty
        try:
            os.rmdir(made)
        except OSError:
            break


def _cannot_write(folder: str) -> Optional[str]:
    """Why a new entry cannot be made in ``folder``; None if it can.

    Made and removed at once: permission bits say nothing to root, nor
    about read-only mounts and pseudo file systems such as /proc.
    """
    try:
        os.rmdir(tempfile.mkdtemp(prefix='.mmca-probe-', dir=folder))
    except OSError as err:
        return err.strerror or errno.errorcode.get(err.errno, str(err))
    return None


def _config_dump(cfg: Config, work_dir: str) -> Optional[str]:
    """Where mmengine's ``Runner.dump_config`` writes the config."""
    if cfg.filename is None:
        return None
    return osp.join(work_dir, osp.basename(cfg.filename))


def _this_process_log_dirs() -> Set[str]:
    """The log dirs of the runners this process built: the folders of its
    mmengine loggers' files."""
    return {osp.dirname(osp.abspath(logger.log_file))
            for logger in MMLogger._instance_dict.values()
            if getattr(logger, 'log_file', None)}


def _lock_is_ours(path: str) -> bool:
    """A lock file this process left: emptied when its run ended, or
    naming this process."""
    try:
        with open(path) as file:
            text = file.read()
        return not text or json.loads(text).get('pid') == os.getpid()
    except (OSError, ValueError, AttributeError):
        return False


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
