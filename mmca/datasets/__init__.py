from .checked_loading import (BROKEN_IMAGE_ACTIONS, BrokenDataError,
                              CheckedLoadImageFromFile, CheckSegLabels)

__all__ = [
    'BROKEN_IMAGE_ACTIONS', 'BrokenDataError', 'CheckedLoadImageFromFile',
    'CheckSegLabels'
]
