"""Write the positions set in the ImageNet layout
(``imagenet_positions/``), as the shapes set's ``imagenet_shapes/``."""
from pathlib import Path
from typing import Dict, Optional

from mmca.datasets.shapes import DatasetJob, run_job, scene_rng
from mmca.datasets.shapes.files import write_jpeg, write_lines
from mmca.datasets.shapes.progress import Progress
from .layout import POSITION_CLASSES
from .render import render_positions


def write_positions(root: Path, counts: Dict[str, int], seed: int,
                    progress: Progress) -> int:
    """``train/<class>/<class>_<n>.JPEG``, flat
    ``val/ILSVRC2012_val_<n>.JPEG`` and ``meta/{split}.txt`` lines
    ``<file below split> <label>``, the label an index into
    ``POSITION_CLASSES``. Classes take turns, so splits are balanced.

    Returns the number of objects written.
    """
    num_classes = len(POSITION_CLASSES)
    num_objects = 0
    for split, count in counts.items():
        lines = []
        for index in progress.track(range(count)):
            label = index % num_classes
            scene = render_positions(
                scene_rng(seed, 'positions', split, index), label)
            name = POSITION_CLASSES[label]
            if split == 'train':
                file_name = f'{name}/{name}_{index // num_classes:06d}.JPEG'
            else:
                file_name = f'ILSVRC2012_val_{index + 1:08d}.JPEG'
            path = root / split / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_jpeg(path, scene.image)
            lines.append(f'{file_name} {label}')
            num_objects += len(scene.objects)
        write_lines(root / 'meta' / f'{split}.txt', lines)
    return num_objects


#: The set as a job of :func:`mmca.datasets.shapes.run_job`: made once,
#: kept while its seed and counts stay.
POSITIONS_JOB = DatasetJob('positions', 'imagenet_positions',
                           write_positions)
#: ``(train, val)`` images unless asked otherwise.
POSITIONS_COUNTS = (1200, 600)


def generate_positions(out: Path, seed: int = 0,
                       num_train: Optional[int] = None,
                       num_val: Optional[int] = None,
                       force: bool = False) -> None:
    """Write the set under ``out/imagenet_positions`` unless it is complete
    with these settings, as :func:`mmca.datasets.shapes.generate` does
    for the shapes sets.

    Args:
        out (Path): Output root.
        seed (int): Non-negative base seed. Defaults to 0.
        num_train (int, optional): Train images. Defaults to
            ``POSITIONS_COUNTS[0]``.
        num_val (int, optional): Val images. Defaults to
            ``POSITIONS_COUNTS[1]``.
        force (bool): Regenerate a complete set. Defaults to False.
    """
    train, val = POSITIONS_COUNTS
    counts = dict(train=train if num_train is None else num_train,
                  val=val if num_val is None else num_val)
    run_job(POSITIONS_JOB, Path(out), counts, seed, force)
