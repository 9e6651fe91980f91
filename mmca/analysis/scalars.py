"""Reading the runs that tools/train.py leaves: mmengine's ``scalars.json``."""
import glob
import json
import os.path as osp
from typing import Dict, List, Tuple

from mmca.utils import InputError

#: Record keys that index a step rather than measure anything.
INDEX_KEYS = {'step', 'epoch', 'iter', 'data_time', 'time', 'memory'}

Curves = Dict[str, List[Tuple[int, float]]]


def scalars_file(run: str) -> str:
    """``run`` itself if it is a file, else the newest
    ``*/vis_data/scalars.json`` of the work dir ``run`` (a resumed run's
    last session, which holds its final validation)."""
    if osp.isfile(run):
        return run
    found = sorted(glob.glob(osp.join(run, '*', 'vis_data', 'scalars.json')))
    if not found:
        raise InputError(f'{run} is neither a scalars.json file nor a work '
                         'dir with */vis_data/scalars.json; give the work '
                         'dir of a tools/train.py run')
    return found[-1]


def read_curves(path: str) -> Curves:
    """Key -> [(step, value)] from one scalars.json."""
    curves: Curves = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f'{path}, line {number}, is not JSON: is it '
                                 "mmengine's scalars.json?") from None
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
    paths = [run] if osp.isfile(run) else sorted(
        glob.glob(osp.join(run, '*', 'vis_data', 'scalars.json')),
        reverse=True)
    for path in paths:
        with open(path) as f:
            records = [json.loads(line) for line in f if line.strip()]
        times = [float(r['time']) for r in records
                 if 'iter' in r and 'time' in r]
        if times:
            return sum(times) / len(times)
    raise InputError(f'{run} holds no training iterations: give the work '
                     'dir or scalars.json of a tools/train.py run')
