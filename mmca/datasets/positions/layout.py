"""Where the two crosses of a positions image sit, and the label that
follows: how they line up, along a row (their centres at the same height),
along a column (the same x), or neither.

Positions are continuous, not on a grid; a margin separates the classes:
aligned crosses differ by at most ``ALIGN_TOLERANCE`` px across their line
and at least ``MIN_APART`` px along it; unaligned ones differ by at least
``MIN_MISALIGNMENT`` px both ways, so they never overlap.
"""
import numpy as np

#: The labels, in the order of their indices.
POSITION_CLASSES = ('row', 'column', 'neither')
IMAGE_SIZE = 64  # px a side; the demo trains at this size
OBJECT_RADIUS = (4.5, 6.0)  # range of a cross's radius (half its span), px
BORDER = 7  # px from a centre to the image border, at least
ALIGN_TOLERANCE = 2.0  # |dy| of a row pair, |dx| of a column pair, at most
MIN_APART = 16.0  # |dx| of a row pair, |dy| of a column pair, at least
MIN_MISALIGNMENT = 12.0  # |dx| and |dy| of an unaligned pair, at least
MAX_PLACEMENT_TRIES = 200


def alignment_label(a: np.ndarray, b: np.ndarray) -> int:
    """The index in ``POSITION_CLASSES`` of two centres ``(x, y)``, or -1
    if they fall in the margin between classes."""
    dx, dy = abs(a[0] - b[0]), abs(a[1] - b[1])
    if dy <= ALIGN_TOLERANCE and dx >= MIN_APART:
        return POSITION_CLASSES.index('row')
    if dx <= ALIGN_TOLERANCE and dy >= MIN_APART:
        return POSITION_CLASSES.index('column')
    if dx >= MIN_MISALIGNMENT and dy >= MIN_MISALIGNMENT:
        return POSITION_CLASSES.index('neither')
    return -1


def sample_centres(rng: np.random.Generator, label: int) -> np.ndarray:
    """Two centres ``(x, y)``, ``(2, 2)``, lined up as ``label`` says, each
    ``BORDER`` px or more inside the image. The first is uniform; the
    second is uniform along the line (row, column) or over the image
    (neither), drawn again until the pair clears the margin."""
    low, high = BORDER, IMAGE_SIZE - 1 - BORDER
    name = POSITION_CLASSES[label]
    for _ in range(MAX_PLACEMENT_TRIES):
        a = rng.uniform(low, high, 2)
        if name == 'neither':
            b = rng.uniform(low, high, 2)
        else:
            across = 1 if name == 'row' else 0      # the coordinate shared
            b = np.empty(2)
            b[across] = np.clip(
                a[across] + rng.uniform(-ALIGN_TOLERANCE, ALIGN_TOLERANCE),
                low, high)
            b[1 - across] = rng.uniform(low, high)
        if alignment_label(a, b) == label:
            return np.stack([a, b])
    raise RuntimeError(f'could not place a {name} pair')
