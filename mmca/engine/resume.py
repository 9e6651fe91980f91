"""Which checkpoint ``tools/train.py --resume`` continues from.

mmengine resumes from whatever ``<work dir>/last_checkpoint`` names. If that
file is missing or broken (a run killed while writing it under plain
mmengine, a checkpoint deleted by hand), mmengine fails with a traceback, or
quietly starts over when ``last_checkpoint`` itself is gone. Here
``last_checkpoint`` comes first while it names an intact checkpoint;
otherwise the newest intact numbered checkpoint of the work dir is taken,
and the caller warns which files were passed over and why. A work dir with
checkpoints none of which is intact is refused rather than started over.
"""
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import List, Optional

from mmengine.config import Config

from mmca.utils import (BrokenCheckpointError, InputError,
                        load_checkpoint_safely)
from .last_checkpoint import last_checkpoint_record, read_last_checkpoint


@dataclass
class ResumePoint:
    """Where a resumed run starts.

    Attributes:
        checkpoint: The checkpoint to resume from; None to start afresh
            (the work dir holds no checkpoint and no ``last_checkpoint``).
        skipped: Why each newer candidate was passed over, one phrase each.
    """
    checkpoint: Optional[str]
    skipped: List[str] = field(default_factory=list)


def find_resume_checkpoint(cfg: Config) -> ResumePoint:
    """The checkpoint ``--resume`` continues from, in ``cfg.work_dir``.

    Fallbacks are the files the checkpoint hook names (its
    ``filename_tmpl``: ``epoch_{}.pth``, or ``iter_{}.pth`` when it saves
    by iteration), highest step first.

    Raises:
        InputError: checkpoints or ``last_checkpoint`` exist, but no
            checkpoint is intact.
    """
    work_dir = cfg.work_dir
    hook = (cfg.get('default_hooks') or {}).get('checkpoint') or {}
    filename_tmpl = hook.get('filename_tmpl') or (
        'epoch_{}.pth' if hook.get('by_epoch', True) else 'iter_{}.pth')
    skipped = []
    named = None
    record = last_checkpoint_record(work_dir)
    if osp.isfile(record):
        named = read_last_checkpoint(work_dir)
        if named is None:
            skipped.append(f'{record} is empty')
        else:
            problem = _problem(named)
            if problem is None:
                return ResumePoint(named)
            skipped.append(f'last_checkpoint names {named}, which {problem}')
    directories = [work_dir] + ([osp.dirname(named)] if named else [])
    for path in _numbered_checkpoints(directories, filename_tmpl):
        if named and path == osp.abspath(named):
            continue
        problem = _problem(path)
        if problem is None:
            return ResumePoint(path, skipped)
        skipped.append(f'{path} {problem}')
    if skipped:
        raise InputError(
            f'--resume found no intact checkpoint in {work_dir}: '
            f'{"; ".join(skipped)}. Resume from a checkpoint of your own with '
            '--resume PATH, or start over in a new --work-dir.')
    return ResumePoint(None)


def _problem(path: str) -> Optional[str]:
    """None if ``path`` loads as a checkpoint, else what is wrong with it."""
    if not osp.isfile(path):
        return 'does not exist'
    try:
        load_checkpoint_safely(path, map_location='cpu')
    except BrokenCheckpointError as err:
        return f'is broken: {err.reason}'
    return None


def _numbered_checkpoints(directories: List[str],
                          filename_tmpl: str) -> List[str]:
    """The checkpoints ``filename_tmpl`` names in ``directories``, newest
    (highest step) first."""
    pattern = re.compile(
        '^' + re.escape(filename_tmpl).replace(r'\{\}', r'(\d+)') + '$')
    found = {}
    for directory in dict.fromkeys(osp.abspath(d) for d in directories):
        if not osp.isdir(directory):
            continue
        for name in os.listdir(directory):
            match = pattern.match(name)
            if match:
                found[osp.join(directory, name)] = int(match.group(1))
    return sorted(found, key=found.get, reverse=True)


def use_resumed_seed(cfg: Config) -> None:
    """Give a resumed run the seed of the run it continues.

    mmengine restores the checkpoint's seed only after it has built the
    train dataloader, whose sampler and workers took the runner's seed; a
    config without ``randomness.seed`` (a new random one each run) would
    shuffle the rest of the run differently. Here the seed is read from
    ``cfg.load_from`` before anything is built.
    """
    randomness = dict(cfg.get('randomness') or {})
    if not cfg.get('resume') or not cfg.get('load_from') or \
            randomness.get('seed') is not None:
        return
    meta = load_checkpoint_safely(cfg.load_from, map_location='cpu').get(
        'meta') or {}
    if meta.get('seed') is not None:
        randomness['seed'] = meta['seed']
        cfg.randomness = randomness


#: What each scheduler sets in a job it restarted: Slurm in a requeued job,
#: torchrun in workers it restarted (``--max-restarts``).
RESTART_COUNTS = ('SLURM_RESTART_COUNT', 'TORCHELASTIC_RESTART_COUNT')


def restarted_by_scheduler() -> bool:
    """Whether Slurm or torchrun restarted this job after it stopped, so
    that it should resume rather than start over."""
    return any(int(os.environ.get(name) or 0) > 0
               for name in RESTART_COUNTS)
