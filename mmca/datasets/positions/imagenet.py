"""Write the positions set in the ImageNet layout
(``imagenet_positions/``), as the shapes set's ``imagenet_shapes/``."""
from pathlib import Path
from typing import Dict, Optional

from mmca.datasets.shapes import DatasetJob, run_job
from mmca.datasets.shapes.imagenet import write_imagenet_layout
from mmca.datasets.shapes.progress import Progress
from .layout import POSITION_CLASSES
from .render import render_positions


def write_positions(root: Path, counts: Dict[str, int], seed: int,
                    progress: Progress) -> int:
    """The positions set, its labels indices into ``POSITION_CLASSES``;
    the layout of :func:`~mmca.datasets.shapes.imagenet.write_imagenet_layout`.

    Returns the number of objects written.
    """
    return write_imagenet_layout(root, counts, POSITION_CLASSES,
                                 render_positions, seed, 'positions',
                                 progress)


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
