"""Write the ImageNet-format classification set (``imagenet_shapes/``)."""
from pathlib import Path
from typing import Dict

from .files import write_jpeg, write_lines
from .metainfo import CLS_CLASSES
from .progress import Progress
from .render import render_object, scene_rng


def write_imagenet(root: Path, counts: Dict[str, int], seed: int,
                   progress: Progress) -> int:
    """ImageNet classification: ``train/<class>/<class>_<n>.JPEG``, flat
    ``val/ILSVRC2012_val_<n>.JPEG`` and ``meta/{split}.txt`` lines
    ``<file below split> <label>``, the label an index into
    ``CLS_CLASSES``. Classes take turns, so splits are balanced.

    Returns the number of objects (one an image) written.
    """
    num_classes = len(CLS_CLASSES)
    for split, count in counts.items():
        lines = []
        for index in progress.track(range(count)):
            label = index % num_classes
            scene = render_object(
                scene_rng(seed, 'imagenet', split, index), label)
            name = CLS_CLASSES[label]
            if split == 'train':
                file_name = f'{name}/{name}_{index // num_classes:06d}.JPEG'
            else:
                file_name = f'ILSVRC2012_val_{index + 1:08d}.JPEG'
            path = root / split / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_jpeg(path, scene.image)
            lines.append(f'{file_name} {label}')
        write_lines(root / 'meta' / f'{split}.txt', lines)
    return sum(counts.values())
