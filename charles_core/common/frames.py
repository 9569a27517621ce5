"""Frame helpers shared by the collector, the player and the datasets.

Frames are RGB ``uint8`` arrays of shape ``(height, width, 3)``; sizes are
given as ``(height, width)`` everywhere, like Keras input shapes.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from charles_core.errors import ConfigError, DataError

NATIVE_INPUT_SIZE = (270, 480)  # the game's 1280x720 hood camera, downscaled

#: The largest frame a model is built or trained at: a side of at most MAX_INPUT_SIDE and at most
#: MAX_INPUT_PIXELS pixels (the game's own 1280x720; a larger input only upsamples it). Lines that flatten the
#: feature map (PilotNet) grow their first Dense layer with the area: charles_pilotnet_v1 has 208 M parameters
#: (4 GB to build) at 720x1280 and 1 G (17 GB) at 2048x2048. Settings: raise them
#: (``charles_core.common.frames.MAX_INPUT_PIXELS = ...``) to build larger models on purpose.
MAX_INPUT_SIDE = 2048
MAX_INPUT_PIXELS = 1280 * 720


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


def check_input_size(size, what: str = "input size") -> tuple[int, int]:
    """Return ``size`` as ``(height, width)`` if it is positive and within the bounds above, else raise ConfigError.

    Args:
        size: ``(height, width)``.
        what: how the message names it (``"--input-size"``, ``"LineConfig.input_size"``).
    """
    try:
        height, width = (int(side) for side in size)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} must be (height, width); got {size!r}") from None
    if height <= 0 or width <= 0:
        raise ConfigError(f"{what} must be positive; got {height}x{width}")
    if max(height, width) > MAX_INPUT_SIDE or height * width > MAX_INPUT_PIXELS:
        raise ConfigError(
            f"{what} {height}x{width} is too large: at most {MAX_INPUT_SIDE} pixels a side and "
            f"{MAX_INPUT_PIXELS:,} pixels in all (the game's 720x1280; charles_core.common.frames."
            f"MAX_INPUT_SIDE / MAX_INPUT_PIXELS); choose a smaller size"
        )
    return height, width


def parse_size(text: str) -> tuple[int, int]:
    """Parse ``"270x480"`` (height x width) into ``(270, 480)``; ConfigError if malformed or too large."""
    try:
        height, width = (int(part) for part in str(text).lower().split("x"))
    except ValueError:
        raise ConfigError(f"size must look like HEIGHTxWIDTH, e.g. 270x480; got {text!r}") from None
    return check_input_size((height, width), "size")
