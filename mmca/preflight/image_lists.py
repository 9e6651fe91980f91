"""An mmpretrain image list (``meta/train.txt``: ``<image path> <class
index>`` a line), checked for labels the model cannot take.

mmpretrain's ``CustomDataset`` (ImageNet's base) reads each line with
``rsplit(' ', 1)`` and ``int()``: a line without a label, or with one that
is not a whole number, is a ``ValueError`` naming neither the file nor the
line; a label outside the classes is an ``IndexError`` in the loss, or
trains a class the model does not have.
"""
from mmengine.fileio import list_from_file

from mmca.utils import InputError


def check_image_list(path: str, num_classes: int) -> None:
    """Check each line of ``path`` is ``<image path> <class index>`` with
    the index in ``0 .. num_classes - 1``.

    Raises:
        InputError: naming the file, the line, the bad value and the range.
    """
    valid = f'0 to {num_classes - 1}'
    form = f'each line is "<image path> <class index>", the index {valid}'
    for number, line in enumerate(list_from_file(path), 1):
        where = f'annotation file {path}, line {number}'
        parts = line.strip().rsplit(' ', 1)
        if not line.strip():
            raise InputError(f'{where} is empty: remove it ({form}).')
        if len(parts) < 2:
            raise InputError(f'{where} has no class index: "{line.strip()}" '
                             f'({form}, after one space).')
        try:
            label = int(parts[1])
        except ValueError:
            raise InputError(
                f'{where}: "{parts[1]}" is not a class index ({form}); the '
                f'line is "{line.strip()}".') from None
        if not 0 <= label < num_classes:
            raise InputError(
                f'{where}: class index {label} is outside the '
                f"{num_classes} classes of the config ({valid}); the line is "
                f'"{line.strip()}". Fix the label, or the classes of the '
                "config (model.head.num_classes, the dataset's metainfo).")
