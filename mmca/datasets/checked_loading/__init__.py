"""Broken data files named in one line: the transforms that check each
image and label map as it loads (:mod:`.transforms`), and the rewrite of a
config's pipelines that puts them in (:mod:`.config`)."""
from .config import use_checked_loading
from .transforms import (BROKEN_IMAGE_ACTIONS, BrokenDataError,
                         CheckedLoadImageFromFile, CheckSegLabels,
                         image_file_problem)

__all__ = [
    'BROKEN_IMAGE_ACTIONS', 'BrokenDataError', 'CheckedLoadImageFromFile',
    'CheckSegLabels', 'image_file_problem', 'use_checked_loading'
]
