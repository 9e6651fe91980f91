"""Broken data files named in one line: images that do not load, and label
maps with values outside the classes.

mmcv's ``LoadImageFromFile`` (the one mmdet, mmseg and mmpretrain use) fails
on a missing or undecodable image with a bare ``assert`` or the backend's
exception, which a dataloader worker wraps in its own traceback; its
``ignore_empty`` drops the image without a word. The transforms here name
the file and its entry in the annotations, and either stop the run with
:class:`BrokenDataError` (which :func:`mmca.cli.run_tool` reports as
``error: ...``) or skip the image with a logged warning and a count.
:func:`~mmca.datasets.checked_loading.config.use_checked_loading` puts them
in the configs the tools run; docs/reliability.md says when each applies.
"""
import logging
import os.path as osp
from typing import Optional, Tuple

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform, LoadImageFromFile
from mmengine import fileio
from mmengine.logging import print_log
from mmengine.registry import TRANSFORMS

#: What :class:`CheckedLoadImageFromFile` does with an image that does not
#: load: stop the run, or leave the image out (training only).
BROKEN_IMAGE_ACTIONS = ('stop', 'skip')


class BrokenDataError(Exception):
    """A data file of a dataset that cannot be used as it is.

    The message is one line naming the file and its annotation entry. A
    dataloader worker's exception reaches the main process re-made from
    ``"Caught ... Original Traceback ..."``, the worker's traceback as
    text; the one line is its last, and is kept alone.
    """

    def __init__(self, message: str) -> None:
        if message.startswith('Caught ') and 'Original Traceback' in message:
            last = message.rstrip().splitlines()[-1]
            message = last.split(f'{type(self).__name__}: ', 1)[-1]
        super().__init__(message)


def image_problem(img_bytes: bytes) -> str:
    """Why ``img_bytes`` did not decode, as the end of a sentence."""
    size = f'{len(img_bytes)} bytes'
    if not img_bytes:
        return 'it is empty (0 bytes)'
    if img_bytes.startswith(b'\xff\xd8') and \
            not img_bytes.rstrip(b'\0').endswith(b'\xff\xd9'):
        return f'it is truncated (a JPEG of {size} without its end marker)'
    if img_bytes.startswith(b'\x89PNG') and b'IEND' not in img_bytes[-16:]:
        return f'it is truncated (a PNG of {size} without its IEND chunk)'
    return f'it cannot be decoded as an image ({size})'


def decode_image(img_bytes: bytes, flag: str = 'color',
                 backend: Optional[str] = None
                 ) -> Tuple[Optional[np.ndarray], Optional[str]]:
    """``img_bytes`` decoded by mmcv, or None and why it did not decode (as
    the end of a sentence)."""
    if not img_bytes:   # cv2 asserts on no bytes
        return None, image_problem(img_bytes)
    try:
        img = mmcv.imfrombytes(img_bytes, flag=flag, backend=backend)
    except Exception as err:  # the decoders raise all sorts
        return None, (f'it cannot be decoded as an image '
                      f'({type(err).__name__}: {err})')
    if img is None:
        return None, image_problem(img_bytes)
    return img, None


def image_file_problem(path: str) -> Optional[str]:
    """Why the local image file ``path`` cannot be used (as the end of a
    sentence); None if it decodes."""
    try:
        with open(path, 'rb') as file:
            img_bytes = file.read()
    except FileNotFoundError:
        return 'it does not exist'
    except OSError as err:
        return f'it cannot be read ({err.strerror or err})'
    return decode_image(img_bytes)[1]


def size_mismatch(results: dict, img: np.ndarray, img_bytes: bytes,
                  flag: str, backend: Optional[str]) -> Optional[str]:
    """How ``img`` disagrees with the width and height its annotation
    entry gives (mmdet's COCO and VOC samples carry them), and the fix;
    None if it agrees or the entry gives none.

    The boxes of an entry are in the pixels of its width and height: an
    image of another size puts them on other pixels. A JPEG with an EXIF
    orientation is turned by the decoders ('color' reads it), which is the
    usual cause.
    """
    width, height = results.get('width'), results.get('height')
    if width is None or height is None or \
            tuple(img.shape[:2]) == (height, width):
        return None
    decoded = f'{img.shape[1]}x{img.shape[0]}'
    problem = (f'its entry gives it {width}x{height} pixels (width x '
               f'height), but it decodes to {decoded}, so its boxes would '
               'miss their objects')
    unturned, _ = decode_image(img_bytes, 'color_ignore_orientation', backend)
    if flag == 'color' and unturned is not None and \
            tuple(unturned.shape[:2]) == (height, width):
        return (f'{problem}: its EXIF orientation turns it as it is decoded. '
                'Strip the orientation tag (exiftool -Orientation= FILE) '
                'to keep the pixels as annotated, or save it upright and '
                'fix its width, height and boxes')
    return (f'{problem}. Fix width and height (and the boxes) in the '
            'annotation file, or replace the image with the one annotated')


def ann_file_line(ann_file: str, img_path: str) -> Optional[int]:
    """The line of a ``<path> [label]`` list (mmpretrain's meta/*.txt)
    that names ``img_path``, if one does."""
    try:
        lines = fileio.get_text(ann_file).splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    target = osp.normpath(img_path)
    for number, line in enumerate(lines, 1):
        name = line.strip().rsplit(' ', 1)[0]
        if name and (target == osp.normpath(name) or target.endswith(
                osp.sep + osp.normpath(name))):
            return number
    return None


def describe_entry(results: dict, ann_file: Optional[str]) -> str:
    """The annotation entry of a sample, in the words of its library."""
    if 'seg_map_path' in results and results['seg_map_path']:
        return f'label map {results["seg_map_path"]}'
    if 'img_id' in results:
        kind = 'COCO image id' if str(ann_file).endswith('.json') else \
            'image id'
        return f'{kind} {results["img_id"]!r}' + \
            (f' in {ann_file}' if ann_file else '')
    if ann_file and ann_file.endswith('.txt'):
        line = ann_file_line(ann_file, results['img_path'])
        if line is not None:
            return f'line {line} of {ann_file}'
        return f'listed in {ann_file}'
    if 'gt_label' in results:
        return f'label {int(np.asarray(results["gt_label"]).ravel()[0])}'
    return f'sample {results.get("sample_idx", "?")}'


@TRANSFORMS.register_module()
class CheckedLoadImageFromFile(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` that names an image it cannot load.

    Args:
        on_broken (str): ``'stop'`` raises :class:`BrokenDataError`;
            ``'skip'`` prints a ``warning:`` line (once a file) with the
            count of images skipped so far in this process (the main one
            or a dataloader worker) and returns None, so that a
            training dataset (mmengine's ``BaseDataset``) takes another
            sample in its place. A dataset in test mode cannot skip; use
            ``'stop'`` there. Defaults to ``'stop'``.
        ann_file (str, optional): The dataset's annotation file, named in
            the message with the image's entry in it. Defaults to None.
        training (bool): Whether the step loads training images, the only
            ones ``--cfg-options broken_images=skip`` can leave out; the
            message then says so. Defaults to False.
        **kwargs: ``LoadImageFromFile``'s arguments; its ``ignore_empty``
            has no effect here, ``on_broken`` decides.

    An image whose size is not the width and height its annotation entry
    gives (mmdet's COCO and VOC samples) is refused, or skipped, alike.
    """

    def __init__(self, on_broken: str = 'stop',
                 ann_file: Optional[str] = None, training: bool = False,
                 **kwargs) -> None:
        if on_broken not in BROKEN_IMAGE_ACTIONS:
            raise ValueError(f'on_broken must be one of '
                             f'{BROKEN_IMAGE_ACTIONS}, not {on_broken!r}')
        super().__init__(**kwargs)
        self.on_broken = on_broken
        self.ann_file = ann_file
        self.training = training
        self.skipped = set()

    def transform(self, results: dict) -> Optional[dict]:
        filename = results['img_path']
        try:
            img_bytes = self._read(filename)
        except FileNotFoundError:
            return self._broken(results, 'it does not exist')
        except OSError as err:
            return self._broken(
                results, f'it cannot be read ({err.strerror or err})')
        img, problem = decode_image(img_bytes, self.color_type,
                                    self.imdecode_backend)
        if problem is not None:
            return self._broken(results, problem)
        mismatch = size_mismatch(results, img, img_bytes, self.color_type,
                                 self.imdecode_backend)
        if mismatch is not None:
            return self._broken(results, mismatch, fits=False)
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def _read(self, filename: str) -> bytes:
        if self.file_client_args is not None:
            return fileio.FileClient.infer_client(
                self.file_client_args, filename).get(filename)
        return fileio.get(filename, backend_args=self.backend_args)

    def _broken(self, results: dict, problem: str,
                fits: bool = True) -> None:
        """Stop at, or skip, an image that is broken (``problem`` says
        why) or that does not fit its entry (``problem`` says how, and the
        fix)."""
        image = results['img_path']
        where = f'image {image} ({describe_entry(results, self.ann_file)})'
        if self.on_broken == 'stop':
            message = (f'{where} is broken: {problem}. Replace the file or '
                       'remove its entry' if fits else
                       f'{where} does not fit its entry: {problem}')
            raise BrokenDataError(message + (
                '; training can leave broken images out with --cfg-options '
                'broken_images=skip.' if self.training else '.'))
        if image not in self.skipped:   # once a file, not every epoch
            self.skipped.add(image)
            print_log(f'skipping {where}: {problem}; {len(self.skipped)} '
                      'broken image(s) skipped so far by this process',
                      logger='current', level=logging.WARNING)
        return None

    def __repr__(self) -> str:
        return (super().__repr__()[:-1] +
                f", on_broken='{self.on_broken}', ann_file={self.ann_file!r}, "
                f'training={self.training})')


@TRANSFORMS.register_module()
class CheckSegLabels(BaseTransform):
    """Stop at a label map with a value that is no class index.

    Put after mmseg's ``LoadAnnotations`` (its label map and
    ``reduce_zero_label`` already applied): every value of ``gt_seg_map``
    must be below ``num_classes`` or be ``ignore_index``. A value outside
    is a label map made for other classes, or a colour palette PNG read as
    indices; the loss would index past its classes.

    Args:
        num_classes (int): Number of classes of the dataset.
        ignore_index (int): The index the loss ignores. Defaults to 255.
    """

    def __init__(self, num_classes: int, ignore_index: int = 255) -> None:
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def transform(self, results: dict) -> dict:
        values = np.unique(results['gt_seg_map'])
        bad = [int(v) for v in values
               if v != self.ignore_index and not 0 <= v < self.num_classes]
        if bad:
            shown = ', '.join(map(str, bad[:10])) + \
                (f' and {len(bad) - 10} more' if len(bad) > 10 else '')
            raise BrokenDataError(
                f'label map {results.get("seg_map_path")} (of image '
                f'{results.get("img_path")}) has values {shown}, outside the '
                f'{self.num_classes} classes (0 to {self.num_classes - 1}) '
                f'and the ignore index {self.ignore_index}. Convert it to '
                'class indices (tools/dataset_converters/), or fix the '
                "config's classes.")
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_classes={self.num_classes}, '
                f'ignore_index={self.ignore_index})')
