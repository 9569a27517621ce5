"""The collector: an NPC drives, its frames and controls become balanced samples.

Each step records the frame the driver saw with the controls the driver chose
for it (strictly in sync), speed and purpose. To teach recoveries the
collector can *perturb* what is executed (a random steering offset for a few
steps) while the label stays the driver's own choice, so the data holds the
driver bringing the car back from where a clone's mistakes lead.

History lines (0001 v1/v2, 0007-0009): each car keeps a
:class:`~charles_core.codec.history_inputs.LineHistory`, the keeper the player uses.
A sample's history is read *before* its step; after the step the controls
actually executed (perturbation included) and the speed and purpose measured at
the step's frame are pushed, exactly as the player pushes after each
prediction. So step t's history holds steps t-60 .. t-1 only and never step
t's label (``tests/history/test_leak.py``). A new episode clears it.
"""

from __future__ import annotations

import attrs
import numpy as np

from charles_core.codec.line_codec import LineCodec
from charles_core.collect.buffer_feed import step_until_trainable
from charles_core.data.sample import Sample
from charles_core.errors import ConfigError
from charles_core.lines.line_config import LineConfig


@attrs.frozen
class CollectorConfig:
    """How the collector records.

    Args:
        seeds: track seeds to cycle through (one episode each, in turn).
        mirror: also record every sample mirrored left-right (frame flipped,
            steering and purpose direction negated): twice the data, and left
            and right turns equally common whatever the tracks' handedness.
        perturb_probability: chance per step to start a perturbation.
        perturb_steps: how long a perturbation lasts, in steps (the longest one
            when ``perturb_min_steps`` is set).
        perturb_steering: the largest steering offset applied.
        perturb_min_steps: the shortest perturbation; its length is drawn
            uniformly in ``[perturb_min_steps, perturb_steps]`` (0: always
            ``perturb_steps``).
        perturb_min_steering: the smallest offset magnitude; the offset is drawn
            uniformly in ``perturb_min_steering..perturb_steering`` with a random
            sign. With 0 (the default) small offsets the NPC cancels at once are
            as common as the large ones that take the car to the road's edge.
        takeover_distance: on simulator sessions (with ``track_points``), the
            distance from the centre line (world units; the road's half width is
            6.7) beyond which a perturbation ends and a pilot's car is driven by
            the NPC, until it is back within half that distance. Far out the
            road leaves the frame and the NPC's answer, steered by the track
            geometry, cannot be learnt from pixels; near the edge it can.
            ``None`` (the default): no takeover.
        seed: seed of the perturbations.
    """

    seeds: tuple[int, ...] = attrs.field(default=tuple(range(100, 120)), converter=tuple)
    mirror: bool = False
    perturb_probability: float = 0.03
    perturb_steps: int = 6
    perturb_steering: float = attrs.field(default=0.6, validator=attrs.validators.ge(0))
    perturb_min_steps: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    perturb_min_steering: float = attrs.field(default=0.0, validator=attrs.validators.ge(0))
    takeover_distance: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.gt(0))
    )
    seed: int = 0

    def __attrs_post_init__(self):
        if self.perturb_min_steps > self.perturb_steps:
            raise ConfigError(
                f"CollectorConfig.perturb_min_steps ({self.perturb_min_steps}) must not exceed "
                f"perturb_steps ({self.perturb_steps})"
            )
        if self.perturb_min_steering > self.perturb_steering:
            raise ConfigError(
                f"CollectorConfig.perturb_min_steering ({self.perturb_min_steering}) must not exceed "
                f"perturb_steering ({self.perturb_steering})"
            )


def mirrored(sample: Sample) -> Sample:
    """The left-right mirror image of a sample: flipped frame, negated steering and direction."""
    distance, direction = sample.purpose
    history = None
    if sample.history:
        history = {name: (-values if name == "steering" else values) for name, values in sample.history.items()}
        if "purpose" in history:
            history["purpose"] = history["purpose"] * np.array([1.0, -1.0], np.float32)
    return Sample(
        frame=np.ascontiguousarray(sample.frame[:, ::-1]),
        throttle=sample.throttle,
        steering=-sample.steering,
        speed=sample.speed,
        purpose=(distance, -direction),
        history=history,
        timestamp=sample.timestamp,
    )


class _Car:
    """One NPC-driven session and what the collector tracks for it."""

    def __init__(self, session, codec: LineCodec):
        self.session = session
        self.frames = codec.new_frame_stack()  # the last frames, stored as the line sees them
        self.perturbation = (0, 0.0)  # (steps left, steering offset)
        self.pilot = None  # a policy that drives this car instead of the NPC (the NPC still labels)
        self.takeover = False  # the NPC drives back to the road (see CollectorConfig.takeover_distance)
        self.history = codec.new_sample_history()  # a LineHistory for history lines, else None


class Collector:
    """Drives simulator sessions with an NPC and feeds balancer -> buffers.

    Several sessions (cars on different tracks) are driven in turn, like the
    many NPCs of the game: consecutive samples then come from different
    places, so the balancer's sets (one sample per bin) complete far more
    often than from one car's long runs of similar frames.

    Args:
        sessions: one simulator session or a list of them (``read``,
            ``apply``, ``speed``, ``purpose()``, ``done``, ``reset(seed)``).
        driver: the NPC, ``driver.act(session) -> controls``.
        line: the line being trained (input size, frames per sample).
        input_size: ``(height, width)`` of recorded frames.
        balancer: a balancer (``add``, ``take_ready``) or ``None`` to store
            every sample in every buffer.
        buffers: a ``BufferSet``.
        config: a :class:`CollectorConfig`.
    """

    def __init__(
        self, sessions, driver, line: LineConfig, input_size, balancer, buffers, config: CollectorConfig | None = None
    ):
        sessions = list(sessions) if isinstance(sessions, (list, tuple)) else [sessions]
        self.codec = LineCodec(line, input_size)
        self.cars = [_Car(session, self.codec) for session in sessions]
        self.driver, self.line = driver, line
        self.input_size = tuple(input_size)
        self.balancer, self.buffers = balancer, buffers
        self.config = config or CollectorConfig()
        self.rng = np.random.default_rng(self.config.seed)
        self.steps = 0
        self.episodes = 0
        self._next_seed = 0
        self._turn = 0
        for car in self.cars:
            self._start_episode(car)

    def set_pilots(self, pilots) -> None:
        """Let policies drive some cars while the NPC keeps labelling every frame (DAgger).

        A clone trained only on the NPC's own driving never sees the places its
        own mistakes lead to; with a pilot at the wheel the data shows the NPC's
        answer there (Ross et al., 2011). ``pilots`` holds one policy or ``None``
        per car, in order; missing entries mean the NPC drives.
        """
        for car, pilot in zip(self.cars, list(pilots) + [None] * len(self.cars)):
            car.pilot = pilot
            if pilot is not None and hasattr(pilot, "reset"):
                pilot.reset()

    @property
    def session(self):
        """The first car's session."""
        return self.cars[0].session

    def close(self) -> None:
        for car in self.cars:
            car.session.close()

    def _start_episode(self, car: _Car):
        seeds = self.config.seeds
        car.session.reset(seeds[self._next_seed % len(seeds)])
        self._next_seed += 1
        self.episodes += 1
        car.frames.clear()
        car.takeover, car.perturbation = False, (0, 0.0)
        if car.pilot is not None and hasattr(car.pilot, "reset"):
            car.pilot.reset()
        if car.history is not None:
            car.history.clear()  # a new track: the old road is not this car's past

    def _frame(self, car: _Car) -> np.ndarray:
        return car.frames.push(car.session.read())

    def _update_takeover(self, car: _Car) -> None:
        limit = self.config.takeover_distance
        session = car.session
        if limit is None or not hasattr(session, "track_points"):
            return
        centre = session.track_points[session.track_index]
        off_centre = float(np.hypot(centre[0] - session.position[0], centre[1] - session.position[1]))
        if off_centre > limit:
            car.takeover, car.perturbation = True, (0, 0.0)
        elif car.takeover and off_centre < limit / 2:
            car.takeover = False

    def _executed(self, car: _Car, controls: dict) -> dict:
        if car.takeover:
            return controls
        left, offset = car.perturbation
        config = self.config
        if left == 0 and self.rng.random() < config.perturb_probability:
            left = config.perturb_steps
            if config.perturb_min_steps:
                left = int(self.rng.integers(config.perturb_min_steps, config.perturb_steps + 1))
            offset = float(
                self.rng.choice((-1.0, 1.0)) * self.rng.uniform(config.perturb_min_steering, config.perturb_steering)
            )
        if left == 0:
            return controls
        car.perturbation = (left - 1, offset)
        steering = float(np.clip(controls["steering"] + offset, -1, 1))
        return {**controls, "steering": steering}

    def step(self) -> int:
        """One simulator step of the next car; returns how many samples reached the buffers."""
        car = self.cars[self._turn]
        self._turn = (self._turn + 1) % len(self.cars)
        session = car.session
        frame = self._frame(car)
        controls = self.driver.act(session)
        speed, purpose = session.speed, session.purpose()
        past = self.codec.sample_history(car.history)  # read before the step
        sample = Sample(
            frame=frame,
            throttle=controls["throttle"],
            steering=controls["steering"],
            speed=speed,
            purpose=purpose,
            history=past,
        )
        self._update_takeover(car)
        if car.pilot is not None:
            piloted = car.pilot(session)  # called even when the NPC takes over: the pilot's frames stay current
            executed = controls if car.takeover else piloted
        else:
            executed = self._executed(car, controls)
        session.apply(executed)
        if car.history is not None:  # written after it, as the player does
            car.history.push({**executed, "speed": speed, "purpose": purpose})
        self.steps += 1
        samples = [sample, mirrored(sample)] if self.config.mirror else [sample]
        stored = 0
        for sample in samples:
            if self.balancer is None:
                stored += sum(self.buffers.add(name, sample) for name in self.buffers.outputs)
            else:
                self.balancer.add(sample)
                stored += sum(self.buffers.add_ready(self.balancer.take_ready()).values())
        if session.done:
            self._start_episode(car)
        return stored

    def refill(self, max_steps: int = 200) -> int:
        """Step until the buffers may train again, or ``max_steps``; returns samples stored."""
        return step_until_trainable(self.step, self.buffers, max_steps)
