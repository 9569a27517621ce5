"""Settings of the drive loop.

Example:

```python
from charles_core.driving.player_config import PlayerConfig
config = PlayerConfig(rate_hz=30.0, control_mode="inline", status_hz=4.0)
```
"""

from __future__ import annotations

import attrs

from charles_core.common.validators import non_negative as _non_negative
from charles_core.common.validators import positive as _positive
from charles_core.errors import ConfigError

CONTROL_MODES = ("inline", "thread")


@attrs.frozen
class PlayerConfig:
    """How the player paces, reports and recovers.

    Args:
        rate_hz: target predictions per second (the game's 30 fps); the loop
            sleeps to the next tick and never exceeds it. 0: unlimited.
        capture_hz: frame captures per second in the capture thread; None:
            the same as ``rate_hz``.
        control_mode: ``"inline"`` applies controls on the player's thread right
            after each prediction (vgamepad's update is a ~0.1 ms system call);
            ``"thread"`` hands them to a control thread (for slow controllers).
        frame_timeout_s: how long to wait for a fresh frame before giving up
            (the run stops with ``stop_reason="no_frames"``).
        status_hz: how often the live status (console line or callback) is
            emitted at most.
        swap_on_unstuck: take the newest checkpoint at each unstuck (the
            original player's behaviour).
        clear_history_on_unstuck: forget the history after a teleport: the
            road before it is not the new place's past.
        clip_predictions: clip outputs to their range before the controller
            (float32 rounding, an untrained regression head).
    """

    rate_hz: float = attrs.field(default=30.0, validator=_non_negative)
    capture_hz: float | None = attrs.field(default=None)
    control_mode: str = attrs.field(default="inline")
    frame_timeout_s: float = attrs.field(default=2.0, validator=_positive)
    status_hz: float = attrs.field(default=4.0, validator=_positive)
    swap_on_unstuck: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    clear_history_on_unstuck: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    clip_predictions: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))

    @control_mode.validator
    def _check_control_mode(self, attribute, value):
        if value not in CONTROL_MODES:
            raise ConfigError(f"PlayerConfig.control_mode must be one of {CONTROL_MODES}; got {value!r}")

    @capture_hz.validator
    def _check_capture_hz(self, attribute, value):
        if value is not None:
            _non_negative(self, attribute, value)

    @property
    def effective_capture_hz(self) -> float:
        return self.rate_hz if self.capture_hz is None else self.capture_hz
