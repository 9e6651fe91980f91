"""Write the ImageNet-format classification set (``imagenet_shapes/``)."""
from pathlib import Path
from typing import Callable, Dict, Sequence

import numpy as np

from .files import write_jpeg, write_lines
from .metainfo import CLS_CLASSES
from .progress import Progress
from .render import render_object, scene_rng
from .scene import Scene


def write_imagenet_layout(root: Path, counts: Dict[str, int],
                          classes: Sequence[str],
                          render: Callable[[np.random.Generator, int], Scene],
                          seed: int, name: str, progress: Progress) -> int:
    """A classification set in ImageNet's layout:
    ``train/<class>/<class>_<n>.JPEG``, flat ``val/ILSVRC2012_val_<n>.JPEG``
    and ``meta/{split}.txt`` lines ``<file below split> <label>``, the label
    an index into ``classes``. Classes take turns, so splits are balanced.

    ``render(rng, label)`` draws the scene of an image
    from the generator of ``(seed, name, split, index)``.

    Returns the number of objects written.
    """
    num_objects = 0
    for split, count in counts.items():
        lines = []
        for index in progress.track(range(count)):
            label = index % len(classes)
            scene = render(scene_rng(seed, name, split, index), label)
            class_name = classes[label]
            if split == 'train':
                file_name = (f'{class_name}/{class_name}_'
                             f'{index // len(classes):06d}.JPEG')
            else:
                file_name = f'ILSVRC2012_val_{index + 1:08d}.JPEG'
            path = root / split / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_jpeg(path, scene.image)
            lines.append(f'{file_name} {label}')
            num_objects += len(scene.objects)
        write_lines(root / 'meta' / f'{split}.txt', lines)
    return num_objects


def write_imagenet(root: Path, counts: Dict[str, int], seed: int,
                   progress: Progress) -> int:
    """The shapes set, one object an image, its label the object's class
    in ``CLS_CLASSES``; see :func:`write_imagenet_layout`."""
    return write_imagenet_layout(root, counts, CLS_CLASSES, render_object,
                                 seed, 'imagenet', progress)
