"""Kill or stop a training run at random moments and resume it, then check
the result.

:func:`kill_and_resume` runs ``tools/train.py CONFIG`` into an empty work
dir, SIGKILLs it ``kills`` times and restarts it with ``--resume`` after
each kill. Odd kills come at a random moment, up to ``max_delay`` seconds
after the attempt saved its first checkpoint (so each attempt makes
progress); even kills come while a checkpoint is being written (the moment
its temporary file appears). After every kill the work dir must hold no
partial checkpoint: ``last_checkpoint`` names a file that loads, and every
``*.pth`` loads. Each restart must resume from the checkpoint
``last_checkpoint`` named. The last run is left to finish; it must exit 0
at the configured final epoch or iteration, and leave no temporary file.

With ``signal='TERM'`` (or ``'INT'``, ``'USR1'``) it sends that signal
instead, at a random moment up to ``max_delay`` seconds after the attempt
logged its first training iteration, to the whole process group as Slurm
does, and checks what a stop promises: the run exits with status 75 after
saving ``iter_N.pth`` for the N iterations it reports done (or, stopped in
validation or start-up, with ``last_checkpoint`` unchanged), no process of
the group outlives it, and over all attempts the iterations trained (the
logged ones: the logger's interval is set to 1) equal the final
checkpoint's count: none lost, none trained twice. Each stop's grace (the
seconds from the signal to the exit) is recorded.

Each attempt's output is kept as ``<work_dir>/harness_attempt_<n>.log``.
``tools/train.py`` is the clone's or the installed package's
(:func:`mmca.utils.package_files.package_file`).
"""
import argparse
import os
import os.path as osp
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import List, Optional, Sequence

from mmengine.config import DictAction

from mmca.cli import RUN_SUSPENDED_STATUS, load_config
from mmca.engine import last_checkpoint_record, read_last_checkpoint
from mmca.utils import (BrokenCheckpointError, InputError, is_temp_file,
                        load_checkpoint_safely)
from mmca.utils.package_files import package_file

POLL_SECONDS = 0.002


@dataclass
class Attempt:
    """One run of tools/train.py and how it ended."""
    number: int
    seconds: float = 0.0
    phase: str = ''
    resumed_from: str = '-'
    problems: Optional[List[str]] = None
    grace: Optional[float] = None
    iterations: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def kill_and_resume(config: str, work_dir: str, kills: int = 5,
                    seed: int = 0, max_delay: float = 10.0,
                    timeout: float = 900.0,
                    cfg_options: Sequence[str] = (),
                    signal_name: str = 'KILL') -> List[Attempt]:
    """Train ``config``, kill and resume it ``kills`` times (module doc).

    Args:
        config (str): The train config, as ``tools/train.py`` takes it.
        work_dir (str): An empty or new directory for the run.
        kills (int): How many times to SIGKILL the run.
        seed (int): Seed of the random kill moments.
        max_delay (float): Latest random kill, in seconds after the
            attempt's first checkpoint.
        timeout (float): Give up on an attempt after this many seconds.
        cfg_options (Sequence[str]): ``xxx=yyy`` overrides, passed on to
            ``tools/train.py`` as given.
        signal_name (str): ``'KILL'``, or a stop signal (``'TERM'``,
            ``'INT'``, ``'USR1'``) whose save-and-stop is checked.

    Returns:
        list[Attempt]: The attempts run, up to the first that finished or
        failed a check.

    Raises:
        InputError: If ``work_dir`` is not empty.
    """
    if signal_name != 'KILL':
        cfg_options = [*cfg_options, 'default_hooks.logger.interval=1']
    cfg = load_config(config, _parse_options(cfg_options))
    if osp.isdir(work_dir) and os.listdir(work_dir):
        raise InputError(f'--work-dir {work_dir} is not empty; the '
                         'harness starts a run from scratch')
    os.makedirs(work_dir, exist_ok=True)
    by_epoch = 'max_epochs' in cfg.train_cfg
    final = cfg.train_cfg.max_epochs if by_epoch else cfg.train_cfg.max_iters
    command = [sys.executable, package_file('tools', 'train.py'), config,
               '--work-dir', work_dir]
    options = ['--cfg-options', *cfg_options] if cfg_options else []
    rng = random.Random(seed)

    attempts = []
    expected_start = None
    stopping = signal_name != 'KILL'
    for number in range(1, kills + 2):
        attempt = Attempt(number)
        mode = ('finish' if number > kills else
                f'signal {signal_name}' if stopping else
                'write' if number % 2 == 0 else 'random')
        resume = ['--resume'] if number > 1 else []
        returncode = _run_attempt(command + resume + options, work_dir,
                                  attempt, mode, rng, max_delay, timeout)
        attempt.resumed_from = _resumed_from(work_dir, number)
        problems = _check_work_dir(work_dir)
        if number > 1 and attempt.resumed_from != (expected_start or '-'):
            problems.append(f'resumed from {attempt.resumed_from}, but '
                            f'last_checkpoint named {expected_start}')
        allowed = (0, RUN_SUSPENDED_STATUS) if stopping else \
            (0, -signal.SIGKILL)
        if returncode not in allowed:
            problems.append(f'train.py exited with status {returncode}')
        if stopping and returncode == RUN_SUSPENDED_STATUS:
            problems += _check_stop(work_dir, number, expected_start)
        expected_start = read_last_checkpoint(work_dir)
        if mode == 'finish' or returncode == 0:
            problems += _check_finished(work_dir, returncode, final,
                                        'epoch' if by_epoch else 'iter')
            if stopping and not problems:
                problems += _check_steps(attempts + [attempt], work_dir)
        attempt.problems = (attempt.problems or []) + problems
        attempts.append(attempt)
        if returncode == 0 or problems:
            break
    return attempts


def _check_stop(work_dir: str, number: int,
                previous: Optional[str]) -> List[str]:
    """A stopped attempt saved the iterations it reports done; stopped in
    validation, it named the checkpoint ``last_checkpoint`` names; stopped
    in start-up, it left ``last_checkpoint`` as it was."""
    text = _read(osp.join(work_dir, f'harness_attempt_{number}.log'))
    saved = re.findall(r'stopped after iteration (\d+).*saved as (\S+?)\.?\s',
                       text)
    named = read_last_checkpoint(work_dir)
    if not saved:
        if 'stopped: ' not in text:
            return ['exit status 75 without a "stopped:" line']
        point = re.findall(r'; (\S+) is the resume point', text)
        if point:   # stopped in validation: the newest checkpoint stands
            return [] if named == point[-1] else [
                f'named {point[-1]} as the resume point, but '
                f'last_checkpoint names {named}']
        return [] if named == previous else [
            f'stopped without saving, but last_checkpoint changed from '
            f'{previous} to {named}']
    iteration, path = int(saved[-1][0]), saved[-1][1]
    if named != path:
        return [f'saved {path}, but last_checkpoint names {named}']
    reached = load_checkpoint_safely(path, 'cpu')['meta'].get('iter')
    if reached != iteration:
        return [f'stopped after iteration {iteration}, but {path} is at '
                f'iteration {reached}']
    return []


def _check_steps(attempts: List[Attempt], work_dir: str) -> List[str]:
    """Every iteration trained once over all attempts: the logged
    iterations add up to the final checkpoint's count."""
    total = load_checkpoint_safely(read_last_checkpoint(work_dir),
                                   'cpu')['meta'].get('iter')
    trained = sum(attempt.iterations for attempt in attempts)
    if trained != total:
        return [f'{trained} iterations trained over all attempts, but the '
                f'run has {total}']
    return []


def passed(attempts: List[Attempt]) -> bool:
    """Whether every check held and the last attempt finished."""
    return all(attempt.ok for attempt in attempts) and \
        attempts[-1].phase == 'finished'


def attempts_table(attempts: List[Attempt]) -> str:
    """A row per attempt: kill, seconds into the attempt, phase, resumed
    from, ok (or the problems found)."""
    rows = [('kill', 'time (s)', 'phase', 'resumed from', 'iterations',
             'grace (s)', 'ok')]
    for attempt in attempts:
        kill = 'final' if attempt.phase == 'finished' else str(attempt.number)
        rows.append((kill, f'{attempt.seconds:.1f}', attempt.phase,
                     osp.basename(attempt.resumed_from) or '-',
                     str(attempt.iterations),
                     '-' if attempt.grace is None else f'{attempt.grace:.1f}',
                     'yes' if attempt.ok else
                     'NO: ' + '; '.join(attempt.problems)))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    return '\n'.join('  '.join(cell.ljust(width) for cell, width
                               in zip(row, widths)) + '  ' + row[6]
                     for row in rows)


def _parse_options(options: Sequence[str]) -> dict:
    """``--cfg-options`` as train.py's DictAction reads them."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--options', nargs='+', action=DictAction, default={})
    args = ['--options', *options] if options else []
    return parser.parse_args(args).options


def _run_attempt(command: List[str], work_dir: str, attempt: Attempt,
                 mode: str, rng: random.Random, max_delay: float,
                 timeout: float) -> int:
    """Run train.py once; SIGKILL or signal it as ``mode`` says. Its exit
    status."""
    log_path = osp.join(work_dir, f'harness_attempt_{attempt.number}.log')
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    start = time.monotonic()
    resumed_at = read_last_checkpoint(work_dir)
    # a killed attempt's temporary file stays until the next one cleans up
    stale = set(_temp_files(work_dir))
    kill_at = None
    with open(log_path, 'w') as log:
        process = subprocess.Popen(command, stdout=log,
                                   stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
        while process.poll() is None:
            now = time.monotonic()
            if now - start > timeout:
                return _kill(process, attempt, start, 'timed out')
            temp = [name for name in _temp_files(work_dir)
                    if name not in stale]
            if mode == 'write' and temp:
                return _kill(process, attempt, start,
                             f'checkpoint write ({temp[0]})')
            if mode.startswith('signal'):
                if kill_at is None and '(train)' in _read(log_path):
                    kill_at = now + rng.uniform(0, max_delay)
                if kill_at is not None and now >= kill_at:
                    return _stop(process, attempt, start, log_path,
                                 mode.split()[1], timeout)
            if mode == 'random':
                # armed once this attempt saved a checkpoint, so that every
                # attempt makes progress and the next one has one to resume
                if kill_at is None and \
                        read_last_checkpoint(work_dir) != resumed_at:
                    kill_at = now + rng.uniform(0, max_delay)
                if kill_at is not None and now >= kill_at:
                    phase = (f'checkpoint write ({temp[0]})' if temp else
                             _phase(log_path))
                    return _kill(process, attempt, start, phase)
            time.sleep(POLL_SECONDS)
    attempt.seconds = time.monotonic() - start
    attempt.phase = ('finished' if process.returncode == 0 else
                     f'exited with status {process.returncode}')
    attempt.iterations = _iterations(log_path)
    return process.returncode


def _stop(process: subprocess.Popen, attempt: Attempt, start: float,
          log_path: str, name: str, timeout: float) -> int:
    """Send SIGname to the process group; wait for the run to stop."""
    attempt.phase = _phase(log_path)
    sent = time.monotonic()
    os.killpg(process.pid, getattr(signal, 'SIG' + name))
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    attempt.grace = time.monotonic() - sent
    attempt.seconds = time.monotonic() - start
    attempt.iterations = _iterations(log_path)
    if _group_outlives(process.pid, seconds=1.0):
        os.killpg(process.pid, signal.SIGKILL)
        attempt.problems = ['processes of the run (dataloader workers) '
                            'outlived it by more than a second']
    return process.returncode


def _group_outlives(group: int, seconds: float) -> bool:
    """Whether a process of ``group`` still runs ``seconds`` from now."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)


def _iterations(log_path: str) -> int:
    """Training iterations the attempt logged (one line each at the
    logger's interval 1)."""
    return len(re.findall(r'(?:Epoch|Iter)\(train\)', _read(log_path)))


def _kill(process: subprocess.Popen, attempt: Attempt, start: float,
          phase: str) -> int:
    os.killpg(process.pid, signal.SIGKILL)
    attempt.seconds, attempt.phase = time.monotonic() - start, phase
    process.wait()
    return -signal.SIGKILL


def _temp_files(work_dir: str) -> List[str]:
    return [name for name in os.listdir(work_dir) if is_temp_file(name)]


def _read(path: str) -> str:
    with open(path, errors='replace') as file:
        return file.read()


def _phase(log_path: str) -> str:
    """What the run was doing, from the last telling line of its log.

    "around a save" is after the hook's "Saving checkpoint" line and before
    the next logged iteration: the state dict being gathered, or the files
    already in place (a temporary file on disk is reported instead).
    """
    markers = [('Checkpoints will be saved to', 'training'),
               ('(train)', 'training'),
               ('Saving checkpoint at', 'around a save'),
               ('(val)', 'validation')]
    last, phase = -1, 'start-up'
    text = _read(log_path)
    for marker, name in markers:
        position = text.rfind(marker)
        if position > last:
            last, phase = position, name
    return phase


def _resumed_from(work_dir: str, number: int) -> str:
    found = re.findall(r'Load checkpoint from (\S+)', _read(
        osp.join(work_dir, f'harness_attempt_{number}.log')))
    return found[-1] if found else '-'


def _check_work_dir(work_dir: str) -> List[str]:
    """The invariant after any kill: nothing partial where a reader looks."""
    problems = []
    named = read_last_checkpoint(work_dir)
    if osp.exists(last_checkpoint_record(work_dir)) and named is None:
        problems.append('last_checkpoint is empty')
    elif named and not osp.isfile(named):
        problems.append(f'last_checkpoint names {named}, which is missing')
    for name in sorted(os.listdir(work_dir)):
        if name.endswith('.pth'):
            try:
                load_checkpoint_safely(osp.join(work_dir, name), 'cpu')
            except BrokenCheckpointError as err:
                problems.append(f'{name}: {err.reason}')
    return problems


def _check_finished(work_dir: str, returncode: int, final: int,
                    unit: str) -> List[str]:
    if returncode != 0:
        return ['the final run did not finish']
    problems = []
    named = read_last_checkpoint(work_dir)
    if named is None or not osp.isfile(named):
        return ['no last checkpoint after the final run']
    reached = load_checkpoint_safely(named, 'cpu')['meta'].get(unit)
    if reached != final:
        problems.append(f'the last checkpoint is at {unit} {reached}, not '
                        f'{final}')
    leftover = _temp_files(work_dir)
    if leftover:
        problems.append(f'temporary files left: {", ".join(leftover)}')
    return problems
