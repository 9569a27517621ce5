"""One running CarRacing-v3 simulator, shared by the collector, the frame source and the controller.

Example:

```python
from charles_core.sim.car_racing_session import CarRacingSession
with CarRacingSession(seed=0, frame_size=(96, 96)) as session:
    frame = session.read()                      # (96, 96, 3) uint8, RGB
    reward, done = session.apply({"steering": 0.0, "throttle": 0.5})
    session.speed, session.purpose()            # world units/s, [distance, direction]
```
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Mapping

import numpy as np

from charles_core.common.frames import resize_frame
from charles_core.errors import CharlesError, ConfigError, MissingDependencyError
from charles_core.sim.car_racing_config import CarRacingConfig
from charles_core.sim.controls import controls_to_action
from charles_core.sim.track_geometry import (
    TILE_LENGTH,
    centre_line,
    follow_index,
    relative_bearing,
)
from charles_core.sim.wheel_slip import rear_wheel_slip

INSTALL_HINT = "pip install 'charles-core[sim]'"

# CarRacing draws its indicator bar over the bottom 5/40 of the window.
INDICATOR_BAR_SHARE = 5.0 / 40.0


def _car_racing_module():
    """Import CarRacing lazily: ``charles_core.sim`` must import without gymnasium."""
    # CarRacing only renders off-screen; the dummy driver keeps pygame from
    # looking for a display on headless machines. An explicit setting wins.
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    try:
        from gymnasium.envs.box2d import car_racing
    except ImportError as error:
        raise MissingDependencyError(
            f"the simulator needs gymnasium, box2d and pygame ({error}). Install them with: {INSTALL_HINT}"
        ) from error
    except Exception as error:  # gymnasium's DependencyNotInstalled is not an ImportError
        if type(error).__name__ == "DependencyNotInstalled":
            raise MissingDependencyError(
                f"the simulator needs the box2d package ({error}). Install it with: {INSTALL_HINT}"
            ) from error
        raise
    return car_racing


def _skip_render(mode):
    return None


def _no_observation(surface, size):
    return None


class CarRacingSession:
    """A CarRacing-v3 episode driven with Charles's controls.

    Args:
        config: a :class:`CarRacingConfig`; keyword options override its fields
            (``CarRacingSession(seed=3, frame_size=(90, 160))``).
        **options: ``seed``, ``frame_size``, ``max_steps``, ``crop_indicators``,
            ``purpose_tiles_ahead``, ``settle_steps``, ``lap_complete_percent``,
            ``domain_randomize``.

    The session resets itself on construction, so ``read()`` works at once.

    Raises:
        ConfigError: an invalid option.
        MissingDependencyError: gymnasium / box2d / pygame are not installed.
    """

    def __init__(self, config: CarRacingConfig | None = None, **options):
        import attrs

        known = attrs.fields_dict(CarRacingConfig)
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise ConfigError(f"unknown CarRacingSession option(s) {unknown}; known: {sorted(known)}")
        self.config = attrs.evolve(config or CarRacingConfig(), **options)
        car_racing = _car_racing_module()
        self._car_module = car_racing
        self._env = car_racing.CarRacing(
            render_mode="state_pixels",
            lap_complete_percent=self.config.lap_complete_percent,
            domain_randomize=self.config.domain_randomize,
            continuous=True,
        )
        self._render_original = self._env._render
        # Frame sources on other threads (the player's capture thread) wait on this for new steps.
        self.changed = threading.Condition(threading.RLock())
        self.frame_number = 0
        self._closed = False
        self.reset()

    # ------------------------------------------------------------------ episode
    def reset(self, seed: int | None = None) -> np.ndarray:
        with self.changed:
            frame = self._reset(seed)
            self.frame_number += 1
            self.changed.notify_all()
            return frame

    def _reset(self, seed: int | None = None) -> np.ndarray:
        """Start a new episode on track ``seed`` (default: the configured seed).

        Args:
            seed: track seed; ``None`` uses ``config.seed`` (itself ``None`` = random).

        Returns:
            The first frame, as :meth:`read` returns it.
        """
        self._check_open()
        seed = self.config.seed if seed is None else int(seed)
        self._env.reset(seed=seed)
        if self.config.fast_render:
            from charles_core.sim.scaled_renderer import ScaledRenderer

            self._render_original = ScaledRenderer(
                self._env, self.config.render_scale, indicators=not self.config.crop_indicators
            )
            self._env._render = self._render_original
            self._env._render()  # the drawing of where reset() left the car, at the new scale
            # CarRacing also scales every drawing to its own 96x96 observation; frames here
            # come from the drawing itself (read()), so that copy is skipped.
            self._env._create_image_array = _no_observation
        for _ in range(self.config.settle_steps):
            self._env.step(None)  # no action: physics ticks, reward untouched, car parked
        self.seed = seed
        self._track_points = centre_line(self._env.track)
        self._track_index = follow_index(self._track_points, self.position, None)
        self._steps = 0
        self._episode_reward = 0.0
        self._terminated = False
        self._lap_finished = False
        self._off_road_steps = 0
        self._frame: np.ndarray | None = None
        return self.read()

    def apply(self, controls: Mapping) -> tuple[float, bool]:
        with self.changed:
            result = self._apply(controls)
            self.frame_number += 1
            self.changed.notify_all()
            return result

    def _apply(self, controls: Mapping) -> tuple[float, bool]:
        """Apply Charles's controls for one simulator step (1/50 s).

        Args:
            controls: ``{"steering": s, "throttle": t}``, both in [-1, 1]
                (throttle > 0 is gas, < 0 is brake); see
                :func:`charles_core.sim.controls.controls_to_action`.

        Returns:
            ``(reward, done)``: CarRacing's reward for this step (-0.1 per
            step, +1000/N per newly visited tile, -100 for leaving the
            playfield) and whether the episode is over.

        Raises:
            DataError: a control is missing, NaN or out of range (named in the message).
            CharlesError: the episode is already over (call ``reset()``).
        """
        self._check_open()
        action = controls_to_action(controls)
        if self.done:
            raise CharlesError("the episode is over; call reset() before applying more controls")
        total = 0.0
        repeats = self.config.action_repeat
        for repeat in range(repeats):
            last = repeat == repeats - 1
            # Skip CarRacing's per-step drawing on all but the last repeat: frames come from it.
            self._env._render = self._render_original if last else _skip_render
            step_action = action
            # The car's traction control: no gas while a rear wheel spins (CarRacingConfig.traction_control).
            if self.config.traction_control is not None and action[1] > 0:
                if rear_wheel_slip(self._env.car) > self.config.traction_control:
                    step_action = action.copy()
                    step_action[1] = 0.0
            try:
                _, reward, terminated, _, info = self._env.step(step_action)
            finally:
                self._env._render = self._render_original
            self._steps += 1
            self._off_road_steps += int(self.off_road)
            total += float(reward)
            self._terminated = bool(terminated)
            self._lap_finished = bool(info.get("lap_finished", False))
            if self.done:
                break
        self._track_index = follow_index(self._track_points, self.position, self._track_index)
        self._episode_reward += total
        self._frame = None
        return total, self.done

    # ------------------------------------------------------------------ observations
    def read(self) -> np.ndarray:
        """The current frame: RGB uint8 ``(height, width, 3)`` at ``config.frame_size``.

        Taken from CarRacing's full 1000x800 top-down render of the last step
        (the car sits in the lower middle, looking up the screen), with the
        indicator bar cropped when ``config.crop_indicators``, then scaled
        (area-averaged) to the requested size. The aspect ratio is not kept.
        """
        self._check_open()
        with self.changed:
            if self._frame is None:
                self._frame = self._render_frame()
            return self._frame

    def _render_frame(self) -> np.ndarray:
        import pygame

        height, width = self.config.frame_size
        surface = getattr(self._env, "surf", None)
        if surface is None:  # fall back on CarRacing's own 96x96 observation
            frame = np.asarray(self._env.state, dtype=np.uint8)
            if self.config.crop_indicators:
                frame = frame[: frame.shape[0] - round(frame.shape[0] * INDICATOR_BAR_SHARE)]
            return resize_frame(np.ascontiguousarray(frame), (height, width))
        full_width, full_height = surface.get_size()
        kept_height = full_height
        if self.config.crop_indicators:
            kept_height -= round(full_height * INDICATOR_BAR_SHARE)
        view = surface.subsurface((0, 0, full_width, kept_height))
        scaled = pygame.transform.smoothscale(view, (width, height))
        return np.ascontiguousarray(np.transpose(pygame.surfarray.array3d(scaled), (1, 0, 2)), dtype=np.uint8)

    @property
    def done(self) -> bool:
        """Lap finished, car left the playfield, or ``max_steps`` reached."""
        limit = self.config.max_steps
        return self._terminated or (limit is not None and self._steps >= limit)

    @property
    def lap_finished(self) -> bool:
        return self._lap_finished

    @property
    def steps(self) -> int:
        """Controls applied since the last reset."""
        return self._steps

    @property
    def episode_reward(self) -> float:
        """Sum of the rewards ``apply`` returned since the last reset."""
        return self._episode_reward

    @property
    def env(self):
        """The underlying (unwrapped) gymnasium ``CarRacing`` instance."""
        return self._env

    @property
    def track_points(self) -> np.ndarray:
        """Centre-line points of this episode's track, ``(N, 2)`` world units, in driving order."""
        return self._track_points

    @property
    def track_index(self) -> int:
        """Index of the centre-line point the car is at, followed along the lap.

        Searched near last step's index first, so a stretch of road passing
        close by does not steal it (see :func:`~charles_core.sim.track_geometry.follow_index`).
        """
        return self._track_index

    @property
    def tiles_visited(self) -> int:
        return int(self._env.tile_visited_count)

    @property
    def track_tiles(self) -> int:
        """Number of road tiles of this episode's track (a lap visits them all)."""
        return len(self._env.track)

    @property
    def route_completion(self) -> float:
        """Share of the track's tiles visited since the last reset, in [0, 1]."""
        return min(self.tiles_visited / max(self.track_tiles, 1), 1.0)

    @property
    def off_road(self) -> bool:
        """No wheel touches a road tile: all four run on grass (CarRacing's own contact test)."""
        return not any(wheel.tiles for wheel in self._env.car.wheels)

    @property
    def off_road_steps(self) -> int:
        """Physics steps (1/50 s each) since the last reset that ended with the car :attr:`off_road`."""
        return self._off_road_steps

    @property
    def position(self) -> tuple[float, float]:
        """Car (hull centre) position ``(x, y)`` in world units."""
        x, y = self._env.car.hull.position
        return float(x), float(y)

    @property
    def heading(self) -> float:
        """Hull angle in radians; the car points along ``(-sin, cos)`` of it."""
        return float(self._env.car.hull.angle)

    @property
    def velocity(self) -> tuple[float, float]:
        """Hull velocity ``(vx, vy)`` in world units per second."""
        vx, vy = self._env.car.hull.linearVelocity
        return float(vx), float(vy)

    @property
    def speed(self) -> float:
        """Speed of the hull in world units per second (CarRacing's own speed bar reads ``0.02 * speed``).

        The track is 40/3 units wide and a lap about 1000-1200 units; flat out
        on a straight the car reaches roughly 100 units/s.
        """
        vx, vy = self.velocity
        return math.hypot(vx, vy)

    def purpose(self) -> np.ndarray:
        """Charles's purpose input: where the car should be heading.

        The target is the centre-line point ``config.purpose_tiles_ahead``
        tiles past :attr:`track_index`, the car's place on the lap.

        Returns:
            float32 ``[distance, direction]``: ``distance`` is the straight-line
            distance to the target divided by ``2 * tiles_ahead * tile length``
            and clipped to [0, 1] (about 0.5 on a straight, on the road);
            ``direction`` is the target's bearing from the car's heading
            divided by pi, in [-1, 1], positive = to the right (the sign
            steering must take to reach it).
        """
        points = self._track_points
        position = self.position
        target = points[(self._track_index + self.config.purpose_tiles_ahead) % len(points)]
        scale = 2.0 * self.config.purpose_tiles_ahead * TILE_LENGTH
        distance = min(float(np.hypot(*(target - np.asarray(position)))) / scale, 1.0)
        direction = relative_bearing(position, self.heading, target) / math.pi
        return np.array([distance, min(max(direction, -1.0), 1.0)], dtype=np.float32)

    # ------------------------------------------------------------------ unstuck
    def teleport_random(self, rng=None) -> int:
        """Move the car to a random track tile, centred, facing along the track, at rest.

        Used by the player's "unstuck" step. The car is rebuilt there (the
        Box2D bodies cannot be moved with their joints intact), and one parked
        physics step is run so ``read()`` shows the new place. Touching a new
        tile counts it as visited, as CarRacing always does, so teleporting
        can add tile reward to the next ``apply``; ``evaluate`` never teleports.

        Args:
            rng: a ``numpy.random.Generator``, an int seed or ``None``.

        Returns:
            The index of the tile the car now stands on.
        """
        self._check_open()
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        points = self._track_points
        index = int(rng.integers(len(points)))
        x, y = points[index]
        # Face along the centre line towards the next point (CarRacing's own
        # per-tile angle is the tile's, a little off the road's direction on bends).
        dx, dy = points[(index + 1) % len(points)] - points[index]
        angle = math.atan2(-dx, dy)
        self._env.car.destroy()
        self._env.car = self._car_module.Car(self._env.world, angle, x, y)
        self._env.step(None)  # no action: renders the new place, leaves the step reward alone
        self._track_index = index
        self._frame = None
        return index

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Release the simulator; safe to call twice."""
        if not self._closed:
            self._closed = True
            self._env.close()

    def _check_open(self) -> None:
        if self._closed:
            raise CharlesError("this CarRacingSession is closed; create a new one")

    def __enter__(self) -> CarRacingSession:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"CarRacingSession(seed={self.seed}, frame_size={self.config.frame_size}, "
            f"steps={self._steps}, episode_reward={self._episode_reward:.1f})"
        )
