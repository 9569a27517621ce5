import numpy as np
import pytest

pytest.importorskip("gymnasium")

from charles_core.sim.car_racing_session import CarRacingSession  # noqa: E402
from charles_core.sim.expert_driver import ExpertDriver  # noqa: E402


def _drive(fast: bool, steps: int = 120):
    frames = []
    with CarRacingSession(seed=5, action_repeat=2, fast_render=fast) as session:
        driver = ExpertDriver()
        for _ in range(steps):
            session.apply(driver.act(session))
            frames.append(session.read().copy())
        return np.stack(frames), session.episode_reward


def test_fast_render_draws_what_car_racing_draws():
    slow_frames, slow_reward = _drive(False)
    fast_frames, fast_reward = _drive(True)
    assert fast_reward == slow_reward  # physics untouched
    difference = np.abs(slow_frames.astype(int) - fast_frames.astype(int))
    assert difference.max() <= 8  # anti-aliased edges may round differently
    assert (difference.max(axis=-1) == 0).mean() > 0.9
