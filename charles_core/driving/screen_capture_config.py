"""Settings of the screen frame source: which region, which monitor, which size out.

Example:

```python
from charles_core.driving.screen_capture_config import ScreenCaptureConfig
config = ScreenCaptureConfig(left=0, top=0, width=1280, height=720, output_size=(270, 480))
```
"""

from __future__ import annotations

import attrs

from charles_core.common.frames import NATIVE_INPUT_SIZE, check_input_size
from charles_core.errors import ConfigError


def _int_at_least(minimum):
    def check(instance, attribute, value):
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ConfigError(f"ScreenCaptureConfig.{attribute.name} must be an integer >= {minimum}; got {value!r}")

    return check


def _size(value):
    return check_input_size(value, "ScreenCaptureConfig.output_size")


@attrs.frozen
class ScreenCaptureConfig:
    """Where to capture and what to return.

    Args:
        left, top: the region's top-left corner, relative to the monitor's own
            top-left (the game window's client area; 0, 0 for a full-screen game).
        width, height: the region's size in screen pixels (the game renders 1280x720).
        monitor: mss monitor index: 1 is the first monitor, 2 the second, ...;
            0 is the virtual screen spanning all of them.
        output_size: ``(height, width)`` of the frames ``read()`` returns: the
            line's input size (270x480 by default).
        display: X display to capture on Linux (``":99"``); None uses ``$DISPLAY``.
    """

    left: int = attrs.field(default=0, validator=_int_at_least(0))
    top: int = attrs.field(default=0, validator=_int_at_least(0))
    width: int = attrs.field(default=1280, validator=_int_at_least(1))
    height: int = attrs.field(default=720, validator=_int_at_least(1))
    monitor: int = attrs.field(default=1, validator=_int_at_least(0))
    output_size: tuple[int, int] = attrs.field(default=NATIVE_INPUT_SIZE, converter=_size)
    display: str | None = attrs.field(default=None)
