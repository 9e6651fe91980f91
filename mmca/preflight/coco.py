"""A COCO annotation file that parses, checked for what mmdet and
pycocotools would take silently or fail on deep in a run.

pycocotools indexes images, annotations and categories by id, so a second
entry with an id overwrites the first; mmdet numbers the config's classes
in the order of the file's categories and drops a class whose name is not
among them; a missing list or key is a ``KeyError`` or a ``ValueError``
far from the file. :func:`check_coco_annotations` refuses each of these
naming the file and the entry, and counts what mmdet leaves out by design
(empty boxes, boxes outside their image, categories not among the classes,
images without boxes) for one warning line.
"""
import difflib
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence

from mmca.utils import InputError

#: The keys mmdet's ``CocoDataset`` and pycocotools' evaluation read from
#: each entry.
REQUIRED_KEYS = {
    'images': ('id', 'file_name', 'width', 'height'),
    'annotations': ('id', 'image_id', 'category_id', 'bbox', 'area'),
    'categories': ('id', 'name'),
}


def check_coco_annotations(path: str, data: Any,
                           classes: Optional[Sequence[str]],
                           with_annotations: bool = True,
                           training: bool = False,
                           filter_cfg: Optional[Dict] = None) -> Optional[str]:
    """Check the parsed COCO annotation file ``path`` (``data``) holds what
    mmdet reads: its lists and their entries' keys, unique ids, annotations
    of listed images and categories, and each of ``classes`` among the
    categories, in their order.

    Args:
        path: The file, as the message names it.
        data: Its parsed JSON.
        classes: The config's classes for this file; None to skip that
            check.
        with_annotations: Whether ``annotations`` must be there (a test
            set's image info file has none).
        training: Whether a training set reads it: then what mmdet leaves
            out by design is counted.
        filter_cfg: The dataset's ``filter_cfg`` (``filter_empty_gt``,
            ``min_size``), for that count.

    Returns:
        One line saying what mmdet leaves out of training, if anything.

    Raises:
        InputError: one line naming the file, the entry and the fix.
    """
    where = f'annotation file {path}'
    if not isinstance(data, dict):
        raise InputError(
            f'{where} is not a COCO annotation file: it holds '
            f'{_kind(data)}, where COCO holds an object with "images", '
            '"annotations" and "categories" (docs/datasets.md, section '
            '"COCO").')
    for key in REQUIRED_KEYS:
        if key not in data:
            if key == 'annotations' and not with_annotations:
                continue
            raise InputError(
                f'{where} has no "{key}": a COCO annotation file lists '
                '"images", "annotations" and "categories". Is it a file of '
                'another format, or one cut down by hand?')
        if not isinstance(data[key], list):
            raise InputError(f'{where}: "{key}" is {_kind(data[key])}, '
                             'where COCO has a list of objects.')
        for index, entry in enumerate(data[key]):
            _check_entry(where, key, index, entry)
    images, categories = data['images'], data['categories']
    annotations = data.get('annotations', [])
    if not images:
        raise InputError(f'{where} lists no images ("images" is empty).')
    _check_unique_ids(where, 'images', images,
                      lambda e: f'"{e["file_name"]}"',
                      'one image would be lost and the other given the '
                      "boxes of both")
    _check_unique_ids(where, 'categories', categories,
                      lambda e: f'"{e["name"]}"',
                      'their annotations would all go to one of them')
    _check_unique_ids(where, 'annotations', annotations,
                      lambda e: f'of image {e["image_id"]!r}',
                      'one would replace the other')
    image_ids = {image['id'] for image in images}
    category_ids = [category['id'] for category in categories]
    known_categories = set(category_ids)
    for index, ann in enumerate(annotations):
        if ann['image_id'] not in image_ids:
            raise InputError(
                f'{where}: annotations[{index}] (id {ann["id"]!r}) is of '
                f'image id {ann["image_id"]!r}, which "images" does not list. '
                'Add the image, or remove the annotation.')
        if ann['category_id'] not in known_categories:
            raise InputError(
                f'{where}: annotations[{index}] (id {ann["id"]!r}) has '
                f'category id {ann["category_id"]!r}, '
                f'which "categories" does not list (it lists ids '
                f'{_listed(category_ids)}). Fix its category_id, or add the '
                'category.')
    if classes is None:
        return None
    names = [category['name'] for category in categories]
    _check_classes(path, list(classes), names)
    if not training:
        return None
    return _left_out(where, images, annotations, categories, set(classes),
                     filter_cfg or {})


def _check_entry(where: str, key: str, index: int, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise InputError(f'{where}: {key}[{index}] is {_kind(entry)}, not '
                         'an object. Fix or remove the entry.')
    required = REQUIRED_KEYS[key]
    for name in required:
        if name not in entry:
            keys = ', '.join(f'"{k}"' for k in required)
            raise InputError(
                f'{where}: {key}[{index}]{_id_of(entry)} has no "{name}" '
                f'(each of "{key}" has {keys}). Add it, or remove the '
                'entry.')
    if not _is_id(entry['id']):
        raise InputError(f'{where}: {key}[{index}] has the id '
                         f'{entry["id"]!r}; an id is a number or a string.')
    numbers = {'images': ('width', 'height'), 'annotations': ('area', ),
               'categories': ()}[key]
    for name in numbers:
        if not _is_number(entry[name]):
            raise InputError(
                f'{where}: {key}[{index}]{_id_of(entry)} has {name} '
                f'{entry[name]!r}, not a number. Fix or remove the entry.')
    if key == 'annotations':
        bbox = entry['bbox']
        if not (isinstance(bbox, list) and len(bbox) == 4
                and all(map(_is_number, bbox))):
            raise InputError(
                f'{where}: {key}[{index}]{_id_of(entry)} has bbox {bbox!r}, '
                'not 4 numbers [x, y, width, height]. Fix or remove the '
                'entry.')


def _check_unique_ids(where: str, key: str, entries: List[Dict],
                      describe, consequence: str) -> None:
    first = {}
    for index, entry in enumerate(entries):
        if entry['id'] in first:
            other = first[entry['id']]
            singular = key[:-1] if key != 'categories' else 'category'
            raise InputError(
                f'{where} gives id {entry["id"]!r} to two {key}, '
                f'{key}[{other}] ({describe(entries[other])}) and '
                f'{key}[{index}] ({describe(entry)}): {consequence}. Give '
                f'each {singular} its own id.')
        first[entry['id']] = index


def _check_classes(path: str, classes: List[str], names: List[str]) -> None:
    """Every class named by exactly one category, in the categories'
    order (mmdet numbers the classes in the file's order)."""
    where = f'annotation file {path}'
    counts = Counter(names)
    for name in classes:
        if counts[name] == 0:
            raise InputError(
                f'{where} has no category "{name}", one of the config\'s '
                f'classes; {_near(name, names)}. Fix the classes of the '
                "config (the dataset's metainfo) or the category's name in "
                'the file.')
        if counts[name] > 1:
            raise InputError(
                f'{where} names {counts[name]} categories "{name}": mmdet '
                'would give the class more labels than the config has '
                'classes. Merge them, or rename all but one.')
    in_file_order = [name for name in names if name in set(classes)]
    if in_file_order != classes:
        raise InputError(
            f"the config's classes ({_listed(classes)}) are not in the order "
            f'of the categories of {path} '
            f'({_listed(in_file_order)}): mmdet numbers the classes in the '
            "file's order, so each class would carry another's name. List "
            'the classes in the order of the file.')


def _left_out(where: str, images: List[Dict], annotations: List[Dict],
              categories: List[Dict], classes: set,
              filter_cfg: Dict) -> Optional[str]:
    """What mmdet's ``CocoDataset`` leaves out of training, by design, as
    one line (``parse_data_info`` and ``filter_data``)."""
    sizes = {image['id']: (image['width'], image['height'])
             for image in images}
    class_ids = {category['id'] for category in categories
                 if category['name'] in classes}
    empty, other_class, other_names = [], 0, set()
    with_class = set()
    for index, ann in enumerate(annotations):
        if ann['category_id'] in class_ids:
            with_class.add(ann['image_id'])
        if ann.get('ignore', False):
            continue
        x, y, w, h = ann['bbox']
        width, height = sizes[ann['image_id']]
        inside_w = max(0, min(x + w, width) - max(x, 0))
        inside_h = max(0, min(y + h, height) - max(y, 0))
        if inside_w * inside_h == 0 or ann['area'] <= 0 or w < 1 or h < 1:
            empty.append(f'annotations[{index}] (id {ann["id"]!r})')
        elif ann['category_id'] not in class_ids:
            other_class += 1
            other_names.add(ann['category_id'])
    parts = []
    if empty:
        parts.append(f'{len(empty)} box(es) that are empty, under a pixel '
                     f'wide or outside their image (the first: {empty[0]})')
    if other_class:
        names = [c['name'] for c in categories if c['id'] in other_names]
        parts.append(f'{other_class} annotation(s) of categories not among '
                     f"the config's classes ({_listed(names)})")
    if filter_cfg.get('filter_empty_gt', False):
        without = sum(image['id'] not in with_class for image in images)
        if without:
            parts.append(f'{without} image(s) without a box of the classes '
                         '(filter_cfg.filter_empty_gt)')
    min_size = filter_cfg.get('min_size', 0)
    small = sum(min(image['width'], image['height']) < min_size
                for image in images)
    if small:
        parts.append(f'{small} image(s) smaller than filter_cfg.min_size '
                     f'{min_size}')
    if not parts:
        return None
    return (f'{where}: mmdet leaves out of training, by design, '
            f'{"; ".join(parts)}')


def _near(name: str, names: List[str]) -> str:
    """The category ``name`` was probably meant as, or those there are."""
    folded = [n for n in names if n.casefold() == name.casefold()]
    if folded:
        return (f'it has "{folded[0]}" (names must match exactly, case '
                'included)')
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f'the nearest it has is "{close[0]}"'
    return f'its categories are {_listed(names)}'


def _listed(items: Sequence, most: int = 10) -> str:
    shown = ', '.join(f'"{i}"' if isinstance(i, str) else repr(i)
                      for i in items[:most])
    return shown + (f' and {len(items) - most} more'
                    if len(items) > most else '')


def _id_of(entry: Dict) -> str:
    return f' (id {entry["id"]!r})' if _is_id(entry.get('id')) else ''


def _is_id(value: Any) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    """What a JSON value is, in JSON's words."""
    return {dict: 'an object', list: 'a list', str: 'a string',
            int: 'a number', float: 'a number', bool: 'true or false',
            type(None): 'null'}.get(type(value), type(value).__name__)
