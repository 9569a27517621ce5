"""Frames from the screen (the game window) through mss.

``read()`` grabs the configured region, converts mss's BGRA bytes to RGB
without a Python-level pixel loop (Pillow's C ``BGRX`` decoder over the mss
buffer, see ``bgra_to_rgb``) and resizes to the line's input size with Pillow
(``charles_core.common.frames.resize_frame``, bilinear). ``charles bench capture``
times it (figures in docs/benchmarks.md).

Needs ``pip install 'charles-core[game]'`` (mss). On Linux it captures an X
display (a real one or Xvfb); on Windows the desktop, so the game must run
in windowed or borderless mode at the region given.

Example:

```text
from charles_core.driving.screen_frame_source import ScreenFrameSource
with ScreenFrameSource(left=0, top=0, width=1280, height=720, output_size=(270, 480)) as source:
    frame = source.read()    # (270, 480, 3) uint8 RGB
```
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from charles_core.common.frames import resize_frame
from charles_core.driving.screen_capture_config import ScreenCaptureConfig
from charles_core.errors import ConfigError, DataError, MissingDependencyError

INSTALL_HINT = "pip install 'charles-core[game]'"


def _open_mss(display: str | None) -> Any:
    try:
        import mss
    except ImportError as error:
        raise MissingDependencyError(
            f"screen capture needs the mss package ({error}). Install it with: {INSTALL_HINT}"
        ) from error
    # mss >= 10.2 names the class MSS and deprecates the mss() factory; 9.x only has mss().
    factory = getattr(mss, "MSS", None) or mss.mss
    kwargs = {"display": display} if display else {}
    try:
        return factory(**kwargs)
    except Exception as error:  # ScreenShotError: no X display, no libX11, ...
        raise MissingDependencyError(
            f"mss could not open the screen ({type(error).__name__}: {error}). On Linux set DISPLAY "
            "to a running X server (e.g. start Xvfb :99 and export DISPLAY=:99) and install libX11."
        ) from error


def bgra_to_rgb(raw, height: int, width: int) -> np.ndarray:
    """mss's BGRA bytes -> a C-contiguous (height, width, 3) uint8 RGB array.

    Pillow's ``BGRX`` raw decoder reads the bytes in place and drops the
    alpha byte in C, several times faster than a numpy channel-reversing
    copy (``bgra[:, :, 2::-1]``; figures in docs/benchmarks.md).
    The result is identical (the test suite checks it against numpy).
    """
    expected = height * width * 4
    if len(raw) != expected:
        raise DataError(f"expected {expected} BGRA bytes for {width}x{height}; got {len(raw)}")
    image = Image.frombuffer("RGB", (width, height), raw, "raw", "BGRX", 0, 1)
    return np.asarray(image)


class ScreenFrameSource:
    """Captures a screen region as RGB frames of the line's input size.

    Args:
        config: region, monitor, output size and display; keyword settings
            (``left=``, ``width=``, ``output_size=``, ...) build one instead.
        sct: an already open mss object (tests, sharing one connection).

    Raises:
        MissingDependencyError: mss is not installed or no display can be opened.
        ConfigError: the monitor does not exist or the region leaves it.

    Example:

    ```text
    source = ScreenFrameSource(width=800, height=600, output_size=(90, 160), display=":99")
    frame = source.read()
    source.close()
    ```
    """

    def __init__(self, config: ScreenCaptureConfig | None = None, *, sct: Any = None, **settings):
        if config is not None and settings:
            raise ConfigError("pass either a ScreenCaptureConfig or keyword settings, not both")
        self.config = config if config is not None else ScreenCaptureConfig(**settings)
        self._sct = sct if sct is not None else _open_mss(self.config.display)
        self.region = self._resolve_region()
        self.frames_read = 0

    def _resolve_region(self) -> dict[str, int]:
        config = self.config
        monitors = self._sct.monitors
        if config.monitor >= len(monitors):
            raise ConfigError(
                f"monitor {config.monitor} does not exist; this screen has monitors 0..{len(monitors) - 1} "
                "(0 spans all of them, 1 is the first)"
            )
        monitor = monitors[config.monitor]
        if config.left + config.width > monitor["width"] or config.top + config.height > monitor["height"]:
            raise ConfigError(
                f"capture region {config.width}x{config.height} at ({config.left}, {config.top}) leaves "
                f"monitor {config.monitor} ({monitor['width']}x{monitor['height']}); make it smaller or "
                "move it"
            )
        return {
            "left": monitor["left"] + config.left,
            "top": monitor["top"] + config.top,
            "width": config.width,
            "height": config.height,
        }

    def read(self) -> np.ndarray:
        """Capture the region now: ``(*output_size, 3)`` uint8 RGB."""
        if self._sct is None:
            raise RuntimeError("this ScreenFrameSource is closed; create a new one")
        shot = self._sct.grab(self.region)
        rgb = bgra_to_rgb(shot.raw, shot.height, shot.width)
        self.frames_read += 1
        return resize_frame(rgb, self.config.output_size)

    def close(self) -> None:
        """Close the display connection. Safe to call twice."""
        if self._sct is not None:
            try:
                self._sct.close()
            finally:
                self._sct = None

    def __enter__(self) -> ScreenFrameSource:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
