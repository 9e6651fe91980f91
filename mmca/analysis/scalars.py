"""Reading the runs that tools/train.py leaves: mmengine's ``scalars.json``."""
import glob
import json
import os.path as osp
from typing import Dict, List, Tuple

from mmca.utils import InputError

#: Record keys that index a step rather than measure anything.
INDEX_KEYS = {'step', 'epoch', 'iter', 'data_time', 'time', 'memory'}

Curves = Dict[str, List[Tuple[int, float]]]


def session_files(run: str) -> List[str]:
    """The ``*/vis_data/scalars.json`` of the work dir ``run``, one per
    session, oldest first (their folders are timestamps)."""
    return sorted(glob.glob(osp.join(run, '*', 'vis_data', 'scalars.json')))


def scalars_file(run: str) -> str:
    """``run`` itself if it is a file, else the newest
    ``*/vis_data/scalars.json`` of the work dir ``run`` (a resumed run's
    last session, which holds its final validation)."""
    if osp.isfile(run):
        return run
    found = session_files(run)
    if not found:
        raise InputError(f'{run} is neither a scalars.json file nor a work '
                         'dir with */vis_data/scalars.json; give the work '
                         'dir of a tools/train.py run')
    return found[-1]


def read_records(path: str) -> List[Tuple[int, dict]]:
    """``(line number, record)`` of each record in one scalars.json."""
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError:
                raise InputError(f'{path}, line {number}, is not JSON: is it '
                                 "mmengine's scalars.json?") from None
    return records


def read_curves(path: str) -> Curves:
    """Key -> [(step, value)] from one scalars.json."""
    curves: Curves = {}
    for number, record in read_records(path):
        step = record.get('step', number)
        for key, value in record.items():
            if key not in INDEX_KEYS and isinstance(value, (int, float)):
                curves.setdefault(key, []).append((step, float(value)))
    return curves


def seconds_per_iteration(run: str) -> float:
    """The mean time of a training iteration: of the scalars.json ``run``,
    or of the newest session of the work dir ``run`` that trained (a run
    resumed after its last iteration trains nothing).

    mmengine's logger writes one record per logging window, whose ``time``
    is the window's mean; training records are those that carry ``iter``
    (validation's do not).
    """
    paths = [run] if osp.isfile(run) else session_files(run)[::-1]
    for path in paths:
        times = [float(record['time']) for _, record in read_records(path)
                 if 'iter' in record and 'time' in record]
        if times:
            return sum(times) / len(times)
    raise InputError(f'{run} holds no training iterations: give the work '
                     'dir or scalars.json of a tools/train.py run')
