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
