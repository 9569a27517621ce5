"""Settings of the scripted ExpertDriver, validated when built."""

from __future__ import annotations

import attrs

from charles_core.common.validators import non_negative as _non_negative
from charles_core.common.validators import positive as _positive
from charles_core.errors import ConfigError


def _below_wheel_lock(instance, attribute, value):
    # CarRacing locks the wheels at brake >= 0.9; locked wheels cannot steer.
    if not 0 < value < 0.9:
        raise ConfigError(f"ExpertDriverConfig.{attribute.name} must lie in (0, 0.9); got {value!r}")


@attrs.frozen
class ExpertDriverConfig:
    """How the scripted NPC drives. Distances in world units, times in seconds.

    Args:
        lookahead_base: pure-pursuit lookahead distance at standstill.
        lookahead_per_speed: extra lookahead per unit of speed (seconds of travel).
        steering_gain: multiplies the pure-pursuit wheel angle (radians) to get
            the steering value; CarRacing turns the wheels ``steering`` radians,
            up to 0.4.
        max_speed: speed the driver never asks to exceed.
        lateral_acceleration: the cornering grip it trusts; corner speed is
            ``sqrt(lateral_acceleration / curvature)``.
        braking_deceleration: how hard it assumes it can brake, to slow down
            before a corner it sees coming.
        preview_distance: how far ahead (world units) it looks for corners.
        off_road_speed: speed limit while off the road, to regain it under control.
        off_road_throttle: most gas it gives off the road or when facing away from the track.
        max_wheel_slip: the driver's own traction control, on a car without one
            (``CarRacingConfig.traction_control=None``): no gas while the rear
            wheels' surface outruns the car by more than this (world units/s).
        throttle_gain: throttle per unit of speed below the target.
        brake_gain: brake per unit of speed above the target.
        max_brake: strongest brake it uses (below 0.9, where wheels lock).
        steering_noise: standard deviation of Gaussian noise added to the
            steering (0 = deterministic); makes recorded data more varied.
        throttle_noise: same for the throttle.
        seed: seed of the noise generator.
    """

    lookahead_base: float = attrs.field(default=6.0, converter=float, validator=_positive)
    lookahead_per_speed: float = attrs.field(default=0.2, converter=float, validator=_non_negative)
    steering_gain: float = attrs.field(default=1.0, converter=float, validator=_positive)
    max_speed: float = attrs.field(default=100.0, converter=float, validator=_positive)
    lateral_acceleration: float = attrs.field(default=160.0, converter=float, validator=_positive)
    braking_deceleration: float = attrs.field(default=80.0, converter=float, validator=_positive)
    preview_distance: float = attrs.field(default=80.0, converter=float, validator=_positive)
    off_road_speed: float = attrs.field(default=25.0, converter=float, validator=_positive)
    off_road_throttle: float = attrs.field(default=0.3, converter=float, validator=_positive)
    max_wheel_slip: float = attrs.field(default=10.0, converter=float, validator=_positive)
    throttle_gain: float = attrs.field(default=0.2, converter=float, validator=_positive)
    brake_gain: float = attrs.field(default=0.05, converter=float, validator=_positive)
    max_brake: float = attrs.field(default=0.8, converter=float, validator=_below_wheel_lock)
    steering_noise: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    throttle_noise: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    seed: int | None = None
