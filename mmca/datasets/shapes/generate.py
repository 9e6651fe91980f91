"""Generate the shapes sets: which sets a task has, and how a set is made
once and reused."""
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

from .cityscapes import write_cityscapes
from .coco import write_coco
from .imagenet import write_imagenet
from .progress import Progress
from .voc import write_voc_det, write_voc_seg

#: ``(train, val)`` images of each set of a task, unless asked otherwise.
DEFAULT_COUNTS = {'det': (1200, 200), 'seg': (200, 30), 'cls': (4000, 500)}
#: Written last into a set's folder: the settings it was made with.
COMPLETE_MARKER = '.complete.json'

#: A writer gets its root, ``{'train': n, 'val': m}``, the seed and a
#: Progress to draw its image indices from, and returns the number of
#: objects written.
Writer = Callable[[Path, Dict[str, int], int, Progress], int]


@dataclass(frozen=True)
class DatasetJob:
    """A dataset to generate: its task, folder below the output root and
    writer."""
    task: str
    folder: str
    write: Writer


JOBS = (
    DatasetJob('det', 'coco_shapes', write_coco),
    DatasetJob('det', 'VOCdevkit_shapes/VOC2007', write_voc_det),
    DatasetJob('seg', 'cityscapes_shapes', write_cityscapes),
    DatasetJob('seg', 'VOCdevkit_shapes/VOC2012', write_voc_seg),
    DatasetJob('cls', 'imagenet_shapes', write_imagenet),
)


def run_job(job: DatasetJob, out: Path, counts: Dict[str, int], seed: int,
            force: bool) -> None:
    """Generate one dataset unless it is already complete with these
    settings; an incomplete or differently made folder is replaced."""
    root = out / job.folder
    marker = root / COMPLETE_MARKER
    settings = dict(seed=seed, counts=counts)
    if not force and marker.is_file() and json.loads(
            marker.read_text()) == settings:
        print(f'{root}: already complete, skipped (use --force to redo)')
        return
    if root.exists():
        shutil.rmtree(root)
    progress = Progress(str(root), sum(counts.values()))
    num_objects = job.write(root, counts, seed, progress)
    marker.write_text(json.dumps(settings))
    print(f'{root}: wrote {counts["train"]} train + {counts["val"]} val '
          f'images, {num_objects} objects '
          f'({time.perf_counter() - progress.start:.1f}s)')


def generate(out: Path,
             tasks: Sequence[str] = tuple(DEFAULT_COUNTS),
             seed: int = 0,
             num_train: Optional[int] = None,
             num_val: Optional[int] = None,
             force: bool = False) -> None:
    """Generate the sets of ``tasks`` under ``out``, skipping complete ones.

    Args:
        out (Path): Output root; each set gets its folder below it.
        tasks (Sequence[str]): Of ``DEFAULT_COUNTS``: ``'det'`` (COCO and
            VOC2007), ``'seg'`` (Cityscapes and VOC2012), ``'cls'``
            (ImageNet). Defaults to all.
        seed (int): Non-negative base seed. Defaults to 0.
        num_train (int, optional): Train images per set. Defaults to the
            task's ``DEFAULT_COUNTS``.
        num_val (int, optional): Val/test images per set. Defaults to the
            task's ``DEFAULT_COUNTS``.
        force (bool): Regenerate sets that are already complete.
            Defaults to False.
    """
    for job in JOBS:
        if job.task not in tasks:
            continue
        default_train, default_val = DEFAULT_COUNTS[job.task]
        counts = dict(
            train=default_train if num_train is None else num_train,
            val=default_val if num_val is None else num_val)
        run_job(job, Path(out), counts, seed, force)
