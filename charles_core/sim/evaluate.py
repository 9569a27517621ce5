"""Score a driving policy on CarRacing tracks, and the constant-gas baseline to beat.

Example:

```python
from charles_core.sim.evaluate import ConstantPolicy, evaluate
from charles_core.sim.expert_driver import ExpertDriver
evaluate(ExpertDriver(), seeds=[0, 1])       # {"per_seed": {0: ..., 1: ...}, "mean": ...}
evaluate(ConstantPolicy(), seeds=[0, 1])["mean"]
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np

from charles_core.errors import ConfigError

Policy = Callable[[object], Mapping[str, float]]


class ConstantPolicy:
    """The same controls every step: by default straight ahead at full gas.

    Args:
        throttle: the throttle applied every step, in [-1, 1].
        steering: the steering applied every step, in [-1, 1].
    """

    def __init__(self, throttle: float = 1.0, steering: float = 0.0):
        from charles_core.sim.controls import validate_controls

        self.controls = validate_controls({"steering": steering, "throttle": throttle})

    def __call__(self, session) -> dict[str, float]:
        return dict(self.controls)

    def __repr__(self) -> str:
        return f"ConstantPolicy(throttle={self.controls['throttle']}, steering={self.controls['steering']})"


def evaluate(
    policy: Policy,
    seeds: Iterable[int],
    max_steps: int = 1000,
    frame_size: tuple[int, int] = (96, 96),
    reset_policy: Callable[[], None] | None = None,
    action_repeat: int = 1,
) -> dict:
    """Run ``policy`` for one episode per track seed and report the rewards.

    Args:
        policy: ``policy(session) -> controls``; it may read ``session.read()``
            (frames at ``frame_size``), ``speed``, ``purpose()``, the track...
        seeds: track seeds, one episode each.
        max_steps: step budget per episode (CarRacing's registered one is 1000).
        frame_size: ``(height, width)`` of the frames the session hands out.
        reset_policy: called before each episode (e.g. to clear a model's history).
        action_repeat: physics steps per policy call (see ``CarRacingConfig``).

    Returns:
        ``{"per_seed": {seed: reward}, "steps": {seed: steps},
        "lap_finished": {seed: bool}, "route_completion": {seed: share of tiles visited},
        "off_road_seconds": {seed: seconds with no wheel on the road}, "mean": float, "std": float}``.
        :func:`charles_core.evaluation.drivers.evaluate_drivers` adds the driving score,
        confidence intervals and paired comparisons (``charles eval``).
    """
    from charles_core.sim.car_racing_session import CarRacingSession

    seeds = [int(seed) for seed in seeds]
    if max_steps is None or int(max_steps) <= 0:
        raise ConfigError(
            f"evaluate needs a positive max_steps (a parked car never ends an episode); got {max_steps!r}"
        )
    if not seeds:
        raise ConfigError("evaluate needs at least one track seed")
    rewards, steps, finished, completion, off_road = {}, {}, {}, {}, {}
    with CarRacingSession(
        seed=seeds[0], max_steps=max_steps, frame_size=frame_size, action_repeat=action_repeat
    ) as session:
        for seed in seeds:
            session.reset(seed)
            if reset_policy is not None:
                reset_policy()
            while not session.done:
                session.apply(policy(session))
            rewards[seed] = round(session.episode_reward, 2)
            steps[seed] = session.steps
            finished[seed] = session.lap_finished
            completion[seed] = round(session.route_completion, 4)
            off_road[seed] = round(session.off_road_steps / 50, 2)  # physics steps are 1/50 s
    values = np.array(list(rewards.values()), dtype=np.float64)
    return {
        "per_seed": rewards,
        "steps": steps,
        "lap_finished": finished,
        "route_completion": completion,
        "off_road_seconds": off_road,
        "mean": round(float(values.mean()), 2),
        "std": round(float(values.std()), 2),
    }
