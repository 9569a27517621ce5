"""The scripted expert NPC: drives CarRacing from the track geometry, not the pixels.

Steering is pure pursuit on the centre line; speed is planned from the
curvature ahead (slow enough for every corner within reach, counting the
braking distance to it). It is the teacher whose controls the collector
records, like the scripted NPC drivers of the original project.

Example:

```python
from charles_core.sim.car_racing_session import CarRacingSession
from charles_core.sim.expert_driver import ExpertDriver
session, driver = CarRacingSession(seed=0), ExpertDriver()
while not session.done:
    session.apply(driver.act(session))
print(session.episode_reward)
```
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from charles_core.errors import ConfigError
from charles_core.sim.expert_driver_config import ExpertDriverConfig
from charles_core.sim.track_geometry import ROAD_HALF_WIDTH, curvature, relative_bearing
from charles_core.sim.wheel_slip import rear_wheel_slip

# Distance between CarRacing's front and rear axles (wheel y = +80 and -82, times SIZE = 0.02).
WHEELBASE = 162 * 0.02


class ExpertDriver:
    """Pure-pursuit steering plus curvature-aware speed control.

    Args:
        config: an :class:`ExpertDriverConfig`; keyword options override its fields.
        **options: any ``ExpertDriverConfig`` field, e.g. ``steering_noise=0.05``.

    Raises:
        ConfigError: an unknown or invalid option.
    """

    def __init__(self, config: ExpertDriverConfig | None = None, **options):
        known = attrs.fields_dict(ExpertDriverConfig)
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise ConfigError(f"unknown ExpertDriver option(s) {unknown}; known: {sorted(known)}")
        self.config = attrs.evolve(config or ExpertDriverConfig(), **options)
        self._rng = np.random.default_rng(self.config.seed)
        self._track_key = None

    def _prepare(self, points: np.ndarray) -> None:
        """Cache per-track arrays; recomputed when the session starts a new track."""
        key = (id(points), len(points))
        if key == self._track_key:
            return
        self._track_key = key
        self._points = points
        segment = np.linalg.norm(np.roll(points, -1, axis=0) - points, axis=1)
        self._segment_length = float(np.mean(segment))
        self._curvature = curvature(points)
        config = self.config
        # Corner speed limit at each point, from the grip it trusts.
        self._corner_speed = np.minimum(
            np.sqrt(config.lateral_acceleration / np.maximum(self._curvature, 1e-9)), config.max_speed
        )
        self._preview_tiles = max(1, int(math.ceil(config.preview_distance / self._segment_length)))

    def target_speed(self, index: int) -> float:
        """Fastest speed at tile ``index`` from which every corner in the preview can still be made."""
        count = len(self._points)
        ahead = np.arange(self._preview_tiles + 1)
        corner = self._corner_speed[(index + ahead) % count]
        distance = ahead * self._segment_length
        reachable = np.sqrt(corner**2 + 2.0 * self.config.braking_deceleration * distance)
        return float(min(reachable.min(), self.config.max_speed))

    def act(self, session) -> dict[str, float]:
        """Controls for the session's current state.

        Args:
            session: a :class:`~charles_core.sim.car_racing_session.CarRacingSession`.

        Returns:
            ``{"steering": s, "throttle": t}``, both in [-1, 1].
        """
        config = self.config
        points = session.track_points
        self._prepare(points)
        position = session.position
        speed = session.speed
        index = session.track_index

        # Distance off the centre line: off the road the driver looks further
        # ahead (else it circles a target point it cannot turn tightly enough
        # to reach) and slows down (grass has 60% of the road's grip).
        off_centre = float(np.hypot(*(points[index] - np.asarray(position))))
        off_road = off_centre > ROAD_HALF_WIDTH

        # Pure pursuit: aim at the centre-line point one lookahead distance on.
        lookahead = config.lookahead_base + config.lookahead_per_speed * speed + off_centre
        ahead_tiles = max(1, int(round(lookahead / self._segment_length)))
        target = points[(index + ahead_tiles) % len(points)]
        distance = max(float(np.hypot(*(target - np.asarray(position)))), 1e-6)
        bearing = relative_bearing(position, session.heading, target)
        if abs(bearing) > math.pi / 2:
            # Facing away (after a spin): pure pursuit's sin(bearing) fades to
            # zero there, so turn at full lock towards the target instead.
            steering = math.copysign(1.0, bearing)
        else:
            wheel_angle = math.atan2(2.0 * WHEELBASE * math.sin(bearing), distance)
            steering = config.steering_gain * wheel_angle

        target_speed = self.target_speed(index)
        if off_road:
            target_speed = min(target_speed, config.off_road_speed)
        speed_error = target_speed - speed
        if speed_error >= 0:
            # Off the road or facing away, full gas only spins the rear wheels
            # and the car with them.
            gas_limit = config.off_road_throttle if off_road or abs(bearing) > math.pi / 2 else 1.0
            # Its own traction control, on a car without one: spinning rear wheels
            # (rear-wheel drive) use up the grip the tyres need sideways, and the
            # car turns into donuts. A car with traction control cuts the gas itself.
            if session.config.traction_control is None and rear_wheel_slip(session.env.car) > config.max_wheel_slip:
                gas_limit = 0.0
            throttle = min(config.throttle_gain * speed_error, gas_limit)
        else:
            throttle = -min(config.brake_gain * -speed_error, config.max_brake)

        if config.steering_noise:
            steering += self._rng.normal(0.0, config.steering_noise)
        if config.throttle_noise:
            throttle += self._rng.normal(0.0, config.throttle_noise)
        return {
            "steering": float(np.clip(steering, -1.0, 1.0)),
            "throttle": float(np.clip(throttle, -config.max_brake, 1.0)),
        }

    def __call__(self, session) -> dict[str, float]:
        """Policy form (``policy(session) -> controls``) for :func:`charles_core.sim.evaluate.evaluate`."""
        return self.act(session)
