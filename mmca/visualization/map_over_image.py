"""A map of values drawn over a grayscale copy of an image, with a colorbar:
how the attention panels and Grad-CAM show where a value lies.

The image is reduced to its luminance, so that the map's colours are the
only ones in the panel: over a colour image (the rainbow grounds of the
shapes sets, a photo) a colormap's hues cannot be told from the picture's
own. The map uses viridis, whose lightness grows with the value (it reads in
grayscale print and to colour-blind eyes too), at ``MAP_ALPHA``: opaque
enough that its colours nearly match the colorbar's, translucent enough
that the image's shapes show through. The colorbar is drawn at the same
alpha over mid-gray, so its colours are those of the map over a mid-gray
pixel.
"""
from typing import Tuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

MAP_COLORMAP = 'viridis'
MAP_ALPHA = 0.7
#: ITU-R BT.601 luma weights of R, G and B, as OpenCV's RGB2GRAY.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


def grayscale(image: np.ndarray) -> np.ndarray:
    """The (H, W) uint8 luminance of an (H, W, 3) uint8 RGB image."""
    return np.round(image.astype(np.float64) @ LUMA_WEIGHTS).astype(np.uint8)


def value_range(*maps: np.ndarray) -> Tuple[float, float]:
    """The smallest and the largest value over ``maps``: the range one
    colour scale spans. A constant map gets a range of its own size, so
    that the scale stays drawable (and says how flat the map is)."""
    low = float(min(m.min() for m in maps))
    high = float(max(m.max() for m in maps))
    if high <= low:
        high = low + max(abs(low) * 1e-6, 1e-12)
    return low, high


def draw_map_over_image(ax: Axes, gray: np.ndarray, values: np.ndarray,
                        low: float, high: float) -> AxesImage:
    """Draws ``values`` over the gray image in ``ax``.

    Args:
        ax (Axes): Where to draw; its ticks are removed.
        gray (ndarray): (H, W) uint8, from :func:`grayscale`.
        values (ndarray): (h, w), stretched over the image's (H, W) with
            nearest-neighbour sampling, so that each cell of a layer's grid
            stays a visible block.
        low (float): The value drawn in the colormap's first colour.
        high (float): The value drawn in its last colour.

    Returns:
        AxesImage: The map's artist, for :func:`add_colorbar`.
    """
    height, width = gray.shape
    ax.imshow(gray, cmap='gray', vmin=0, vmax=255, interpolation='nearest')
    artist = ax.imshow(values, cmap=MAP_COLORMAP, vmin=low, vmax=high,
                       alpha=MAP_ALPHA, interpolation='nearest',
                       extent=(0, width, height, 0))
    ax.set_xticks([])
    ax.set_yticks([])
    return artist


def add_colorbar(fig: Figure, cax: Axes, artist: AxesImage,
                 label: str) -> Colorbar:
    """The colorbar of ``artist`` in ``cax``, over mid-gray (see the module
    docstring), with ``label`` along it and its two ends among the ticks
    (to 3 significant digits)."""
    cax.set_facecolor('0.5')
    colorbar = fig.colorbar(artist, cax=cax, format='{x:.3g}')
    low, high = artist.norm.vmin, artist.norm.vmax
    margin = (high - low) / 8        # no inner tick label on an end's
    inner = [t for t in colorbar.get_ticks()
             if low + margin < t < high - margin]
    colorbar.set_ticks([low, *inner, high])
    colorbar.ax.tick_params(labelsize=6)
    colorbar.set_label(label, fontsize=6)
    return colorbar
