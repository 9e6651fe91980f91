from .checked_loading import (BROKEN_IMAGE_ACTIONS, BrokenDataError,
                              CheckedLoadImageFromFile, CheckSegLabels,
                              use_checked_loading)

__all__ = [
    'BROKEN_IMAGE_ACTIONS', 'BrokenDataError', 'CheckedLoadImageFromFile',
    'CheckSegLabels', 'use_checked_loading'
]
