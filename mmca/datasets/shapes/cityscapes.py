"""Write the Cityscapes-format segmentation set (``cityscapes_shapes/``)."""
import json
from pathlib import Path
from typing import Dict

from .files import write_png
from .metainfo import SHAPE_CLASSES
from .progress import Progress
from .render import CITYSCAPES_SCENE, render_scene, scene_rng

#: File name endings of an image and of its label map, as in Cityscapes;
#: mmseg pairs the two by them.
IMG_SUFFIX = '_leftImg8bit.png'
SEG_MAP_SUFFIX = '_gtFine_labelTrainIds.png'
CITIES = {'train': ('aachen', 'bremen', 'hamburg'),
          'val': ('frankfurt', 'lindau')}


def write_cityscapes(root: Path, counts: Dict[str, int], seed: int,
                     progress: Progress) -> int:
    """Cityscapes: ``leftImg8bit/{split}/<city>/<stem>_leftImg8bit.png`` and
    ``gtFine/...<stem>_gtFine_{labelTrainIds.png,polygons.json}``.

    The label maps hold indices into ``SEG_CLASSES``; the polygons are the
    objects' outlines, clipped to the image as the COCO ones. Returns the
    number of objects written.
    """
    num_objects = 0
    for split, count in counts.items():
        cities = CITIES[split]
        for index in progress.track(range(count)):
            scene = render_scene(
                scene_rng(seed, 'cityscapes', split, index), CITYSCAPES_SCENE)
            city = cities[index % len(cities)]
            stem = f'{city}_{index // len(cities):06d}_000019'
            image_dir = root / 'leftImg8bit' / split / city
            label_dir = root / 'gtFine' / split / city
            image_dir.mkdir(parents=True, exist_ok=True)
            label_dir.mkdir(parents=True, exist_ok=True)
            write_png(image_dir / f'{stem}{IMG_SUFFIX}', scene.image)
            write_png(label_dir / f'{stem}{SEG_MAP_SUFFIX}',
                      scene.semantic_map())
            h, w = scene.instances.shape
            polygons = dict(
                imgHeight=h,
                imgWidth=w,
                objects=[
                    dict(
                        label=SHAPE_CLASSES[obj.label],
                        polygon=obj.contour().tolist())
                    for obj in scene.objects
                ])
            with open(label_dir / f'{stem}_gtFine_polygons.json', 'w') as f:
                json.dump(polygons, f, indent=4)
            num_objects += len(scene.objects)
    return num_objects
