"""Frame helpers shared by the collector, the player and the datasets.

Frames are RGB ``uint8`` arrays of shape ``(height, width, 3)``; sizes are
given as ``(height, width)`` everywhere, like Keras input shapes.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from charles_core.errors import DataError

NATIVE_INPUT_SIZE = (270, 480)  # the game's 1280x720 hood camera, downscaled


def check_frame(frame, name: str = "frame") -> np.ndarray:
    """Return ``frame`` as a C-contiguous uint8 HxWx3 array or raise DataError."""
    array = np.asarray(frame)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise DataError(f"{name} must be an RGB image of shape (height, width, 3); got shape {array.shape}")
    if array.dtype != np.uint8:
        raise DataError(f"{name} must have dtype uint8 (0-255 RGB); got {array.dtype}")
    return np.ascontiguousarray(array)


def resize_frame(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an RGB uint8 frame to ``size=(height, width)`` (bilinear, like the game's downscale)."""
    frame = check_frame(frame)
    height, width = size
    if frame.shape[:2] == (height, width):
        return frame
    image = Image.fromarray(frame).resize((width, height), Image.BILINEAR)
    return np.asarray(image)


def parse_size(text: str) -> tuple[int, int]:
    """Parse ``"270x480"`` (height x width) into ``(270, 480)``."""
    try:
        height, width = (int(part) for part in str(text).lower().split("x"))
    except ValueError:
        raise ValueError(f"size must look like HEIGHTxWIDTH, e.g. 270x480; got {text!r}") from None
    if height <= 0 or width <= 0:
        raise ValueError(f"size must be positive; got {text!r}")
    return height, width
