"""One simulator car's driving as a stream of samples, in time order (what ``charles record`` writes).

A driver (the scripted NPC, or a person through :class:`~charles_core.sim.human_driver.HumanDriver`)
drives one session; each step's sample holds the frame the driver saw, the controls it chose
for that frame (strictly in sync), the speed and the purpose. Episodes follow one another on
the given track seeds; the recording is then one drive with a jump at each new track, as a
recording from the game is at each relocation. Like the collector, the NPC's steering can be
*perturbed* (``perturb``: a random offset for a few steps) while the label stays the NPC's own
choice, so the recording holds the NPC bringing the car back (both ways) and not only its
smooth driving.

Example:

```python
stream = SimStream(frame_size=(96, 128))   # the NPC on the first training tracks
sample = stream.read()                      # sample.frame (96, 128, 3), sample.steering, sample.throttle, ...
stream.close()
```
"""

from __future__ import annotations

import math

import numpy as np

from charles_core.data.sample import Sample
from charles_core.errors import ConfigError

PHYSICS_HZ = 50.0  # CarRacing's physics steps per simulated second


class SimStream:
    """Samples of one car on the simulator, driven by ``driver`` (default: the scripted NPC).

    Args:
        driver: ``act(session) -> {"steering", "throttle"}``; optional ``reset()`` per episode and
            ``stopped`` (a person closed the window: the stream then finishes).
        environment: a registered environment's name.
        seeds: track seeds, one episode each, in turn (training seeds: evaluation tracks are refused).
        frame_size: ``(height, width)`` of the recorded frames.
        action_repeat: physics steps per sample (2: 25 samples per simulated second).
        perturb: chance per step that the NPC's executed steering gets an offset of half to all of
            ``perturb_steering``, left and right in turn, for ``perturb_steps`` steps (the label
            stays the NPC's); 0 for a
            person driving (``driver`` given: never perturbed).
        perturb_steps: how long a perturbation lasts.
        perturb_steering: the largest offset.
        seed: seed of the perturbations.

    Raises:
        ConfigError: no seeds, evaluation seeds, or bad perturbation settings.
    """

    def __init__(
        self,
        driver=None,
        *,
        environment: str = "car_racing",
        seeds=None,
        frame_size=(96, 128),
        action_repeat: int = 2,
        perturb: float = 0.03,
        perturb_steps: int = 6,
        perturb_steering: float = 0.6,
        seed: int = 0,
    ):
        from charles_core.sim.environments import open_environment
        from charles_core.sim.track_split import check_training_seeds, training_seeds

        seeds = tuple(training_seeds(60) if seeds is None else check_training_seeds(seeds))
        if not seeds:
            raise ConfigError("the simulator stream needs at least one track seed")
        if (
            isinstance(perturb, bool)
            or not isinstance(perturb, (int, float))
            or not math.isfinite(perturb)
            or not 0 <= perturb <= 1
        ):
            raise ConfigError(f"perturb must be a probability in [0, 1]; got {perturb!r}")
        if not 0 <= perturb_steering <= 2 or int(perturb_steps) < 1:
            raise ConfigError(
                f"perturb_steering must lie in [0, 2] and perturb_steps be at least 1; got "
                f"{perturb_steering!r}, {perturb_steps!r}"
            )
        self.perturb = float(perturb) if driver is None else 0.0  # a person's driving is recorded as driven
        self.perturb_steps, self.perturb_steering = int(perturb_steps), float(perturb_steering)
        self._rng = np.random.default_rng(seed)
        self._perturbation = (0, 0.0)  # (steps left, offset)
        self._side = 1.0 if self._rng.random() < 0.5 else -1.0
        if driver is None:
            from charles_core.sim.expert_driver import ExpertDriver

            driver = ExpertDriver()
        self.driver, self.seeds = driver, seeds
        self.session = open_environment(
            environment, seed=seeds[0], frame_size=tuple(frame_size), action_repeat=action_repeat
        )
        self.step_s = action_repeat / PHYSICS_HZ
        self.count = 0
        self.episodes = 1
        self._reset_driver()

    def _reset_driver(self) -> None:
        if hasattr(self.driver, "reset"):
            self.driver.reset()

    @property
    def finished(self) -> bool:
        """``True`` once the driver has stopped (a person closed the window); the NPC never does."""
        return bool(getattr(self.driver, "stopped", False))

    def read(self, timeout_s: float = 0.0) -> Sample | None:
        """Drive one step; its sample (``None`` once the driver has stopped)."""
        del timeout_s  # a step never waits on anything outside
        session = self.session
        frame = session.read()
        controls = self.driver.act(session)
        if self.finished:
            return None
        speed, purpose = session.speed, session.purpose()
        session.apply(self._executed(controls))
        sample = Sample(
            frame=frame,
            throttle=controls["throttle"],
            steering=controls["steering"],
            speed=speed,
            purpose=purpose,
            timestamp=self.count * self.step_s,
        )
        self.count += 1
        if session.done:
            session.reset(self.seeds[self.episodes % len(self.seeds)])
            self.episodes += 1
            self._perturbation = (0, 0.0)
            self._reset_driver()
        return sample

    def _executed(self, controls: dict) -> dict:
        left, offset = self._perturbation
        if left == 0 and self.perturb and self._rng.random() < self.perturb:
            left = self.perturb_steps
            self._side = -self._side  # left and right in turn: as many recoveries each way
            offset = float(self._side * self._rng.uniform(self.perturb_steering / 2, self.perturb_steering))
        if left == 0:
            return controls
        self._perturbation = (left - 1, offset)
        return {**controls, "steering": float(np.clip(controls["steering"] + offset, -1.0, 1.0))}

    def close(self) -> None:
        try:
            self.session.close()
        finally:
            if hasattr(self.driver, "close"):
                self.driver.close()
