"""The Pascal VOC label colour map."""
import numpy as np


def voc_palette(num: int = 256) -> np.ndarray:
    """Colour of each label as ``(num, 3)`` uint8: label bits 0, 3, 6, ...
    set the red channel from its top bit down, bits 1, 4, 7 the green and
    bits 2, 5 the blue, as the VOC devkit's ``labelcolormap`` does."""
    palette = np.zeros((num, 3), np.uint8)
    for label in range(num):
        code, rgb = label, [0, 0, 0]
        for bit in range(7, -1, -1):
            for channel in range(3):
                rgb[channel] |= ((code >> channel) & 1) << bit
            code >>= 3
        palette[label] = rgb
    return palette
