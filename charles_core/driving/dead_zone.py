"""Dead-zone translation: model values -> virtual controller values, per axis.

A game ignores small stick and trigger deflections (the *inner dead zone*) and
reads full deflection before the physical end of travel (the *outer
saturation*). Between the two it rescales linearly. A model trained on the
values the game actually used (NPC drivers' controls) therefore has to be
translated before it goes to a virtual pad: a predicted steering of 0.05 sent
as a raw 0.05 stick deflection would be swallowed by the dead zone and the car
would never make small corrections.

``DeadZone.to_controller`` undoes the game's rescaling: 0 stays 0, any
non-zero value lands just outside the inner dead zone (``inner + margin``),
and +-1 lands on the outer saturation, linearly in between, keeping the sign.

GTA V defaults (documented choices; adjust them if steering feels numb or
twitchy, or if the game's controller settings changed the dead zone):

- left stick: ``inner=0.24``. GTA V's default left-stick dead zone is commonly
  cited at 0.2-0.25; XInput's recommended
  ``XINPUT_GAMEPAD_LEFT_THUMB_DEADZONE`` is 7849/32767 = 0.2395. We take the
  top of that range so a non-zero prediction is never lost.
- triggers: ``inner=0.12``. XInput's ``XINPUT_GAMEPAD_TRIGGER_THRESHOLD`` is
  30/255 = 0.118; the game's trigger dead zone is small.
- ``outer=1.0`` for both: no outer saturation has been measured for GTA V, so
  the whole travel is used.
- ``margin=0.01``: how far past the inner edge the smallest non-zero value
  lands; enough to clear rounding (vgamepad quantises sticks to 1/32767 and
  triggers to 1/255).

Example:

```python
from charles_core.driving.dead_zone import DeadZone
stick = DeadZone.gta_v_stick()
stick.to_controller(0.0)    # 0.0
stick.to_controller(0.001)  # ~0.25: just outside the game's dead zone
stick.to_controller(-1.0)   # -1.0
```
"""

from __future__ import annotations

import math

import attrs

from charles_core.errors import ConfigError

GTA_V_STICK_INNER = 0.24
GTA_V_TRIGGER_INNER = 0.12
DEFAULT_MARGIN = 0.01


def _fraction(instance, attribute, value):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ConfigError(f"DeadZone.{attribute.name} must be a finite number; got {value!r}")
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"DeadZone.{attribute.name} must lie in [0, 1]; got {value!r}")


@attrs.frozen
class DeadZone:
    """One axis's dead-zone translation (a stick axis or a trigger).

    Args:
        inner: the game's inner dead zone as a fraction of full deflection;
            deflections up to this are read as zero.
        outer: where the game saturates (reads full deflection); model +-1
            maps here. Must exceed ``inner + margin``.
        margin: how far past ``inner`` the smallest non-zero model value lands.
        zero_below: model values with ``|v| < zero_below`` are sent as exactly 0
            (0 by default: every non-zero prediction moves the car).

    Example:

    ```python
    trigger = DeadZone(inner=0.12, outer=1.0)
    trigger.to_controller(0.5)   # 0.12 + 0.01 + 0.5 * 0.87 = 0.565
    ```
    """

    inner: float = attrs.field(default=GTA_V_STICK_INNER, validator=_fraction, converter=float)
    outer: float = attrs.field(default=1.0, validator=_fraction, converter=float)
    margin: float = attrs.field(default=DEFAULT_MARGIN, validator=_fraction, converter=float)
    zero_below: float = attrs.field(default=0.0, validator=_fraction, converter=float)

    def __attrs_post_init__(self):
        if self.inner + self.margin >= self.outer:
            raise ConfigError(
                f"DeadZone needs inner + margin < outer; got inner={self.inner}, "
                f"margin={self.margin}, outer={self.outer}"
            )

    @classmethod
    def gta_v_stick(cls) -> DeadZone:
        """GTA V's left stick (steering): inner 0.24, outer 1.0."""
        return cls(inner=GTA_V_STICK_INNER, outer=1.0)

    @classmethod
    def gta_v_trigger(cls) -> DeadZone:
        """GTA V's triggers (gas, brake): inner 0.12, outer 1.0."""
        return cls(inner=GTA_V_TRIGGER_INNER, outer=1.0)

    @classmethod
    def identity(cls) -> DeadZone:
        """No translation at all (a game or simulator without dead zones)."""
        return cls(inner=0.0, outer=1.0, margin=0.0)

    @property
    def start(self) -> float:
        """The controller value the smallest non-zero model value maps to."""
        return self.inner + self.margin

    def to_controller(self, value: float) -> float:
        """Map a model value in [-1, 1] to a controller value in [-outer, outer].

        Values outside [-1, 1] are clipped first (float32 rounding); NaN maps to 0
        so a broken prediction releases the control rather than flooring it.
        """
        value = float(value)
        if math.isnan(value):
            return 0.0
        magnitude = min(abs(value), 1.0)
        if magnitude == 0.0 or magnitude < self.zero_below:
            return 0.0
        return math.copysign(self.start + magnitude * (self.outer - self.start), value)

    def to_model(self, controller_value: float) -> float:
        """The inverse: what the game makes of a controller value, in [-1, 1].

        Deflections inside ``inner + margin`` read as 0, beyond ``outer`` as +-1.
        Useful to label recorded human driving with the values the game used.
        """
        value = float(controller_value)
        magnitude = abs(value)
        if math.isnan(value) or magnitude <= self.start:
            return 0.0
        return math.copysign(min((magnitude - self.start) / (self.outer - self.start), 1.0), value)
