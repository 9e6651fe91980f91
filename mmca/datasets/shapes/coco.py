"""Write the COCO-format detection set (``coco_shapes/``)."""
import json
from pathlib import Path
from typing import Dict

from .files import write_jpeg
from .metainfo import SHAPE_CLASSES
from .progress import Progress
from .render import DET_SCENE, render_scene, scene_rng


def write_coco(root: Path, counts: Dict[str, int], seed: int,
               progress: Progress) -> int:
    """COCO detection: ``{split}/*.jpg`` + ``annotations/instances_{split}``.

    Category ``k + 1`` is ``SHAPE_CLASSES[k]``; boxes, polygons and areas
    follow the annotation conventions of :mod:`mmca.datasets.shapes`.
    Returns the number of objects written.
    """
    categories = [
        dict(id=i + 1, name=name, supercategory='shape')
        for i, name in enumerate(SHAPE_CLASSES)
    ]
    (root / 'annotations').mkdir(parents=True)
    num_objects = 0
    for split, count in counts.items():
        (root / split).mkdir()
        images, annotations = [], []
        for index in progress.track(range(count)):
            scene = render_scene(scene_rng(seed, 'coco', split, index),
                                 DET_SCENE)
            image_id = index + 1
            file_name = f'{image_id:06d}.jpg'
            write_jpeg(root / split / file_name, scene.image)
            h, w = scene.instances.shape
            images.append(
                dict(id=image_id, file_name=file_name, width=w, height=h))
            for obj in scene.objects:
                x0, y0, x1, y1 = obj.box
                annotations.append(
                    dict(
                        id=len(annotations) + 1,
                        image_id=image_id,
                        category_id=obj.label + 1,
                        bbox=[x0, y0, x1 - x0, y1 - y0],
                        area=float(obj.mask.sum()),
                        iscrowd=0,
                        segmentation=[obj.contour().ravel().tolist()]))
        num_objects += len(annotations)
        coco = dict(
            info=dict(description='mmca synthetic shapes', version='1.0'),
            licenses=[],
            images=images,
            annotations=annotations,
            categories=categories)
        with open(root / 'annotations' / f'instances_{split}.json', 'w') as f:
            json.dump(coco, f, separators=(',', ':'))
    return num_objects
