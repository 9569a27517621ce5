import numpy as np
import pytest

pytest.importorskip("gymnasium")

from charles_core.sim.car_racing_session import CarRacingSession  # noqa: E402
from charles_core.sim.expert_driver import ExpertDriver  # noqa: E402


def _drive(fast: bool, steps: int = 120, scale: float = 1.0):
    frames = []
    with CarRacingSession(seed=5, action_repeat=2, fast_render=fast, render_scale=scale) as session:
        driver = ExpertDriver()
        for _ in range(steps):
            session.apply(driver.act(session))
            frames.append(session.read().copy())
        return np.stack(frames), session.episode_reward


def test_fast_render_draws_what_car_racing_draws():
    slow_frames, slow_reward = _drive(False)
    fast_frames, fast_reward = _drive(True)  # at CarRacing's own size
    assert fast_reward == slow_reward  # physics untouched
    difference = np.abs(slow_frames.astype(int) - fast_frames.astype(int))
    assert difference.max() <= 8  # anti-aliased edges may round differently
    assert (difference.max(axis=-1) == 0).mean() > 0.9


def test_a_smaller_drawing_gives_nearly_the_same_frames():
    full_frames, full_reward = _drive(True, scale=1.0)
    small_frames, small_reward = _drive(True, scale=0.25)
    assert small_reward == full_reward  # physics untouched
    difference = np.abs(full_frames.astype(int) - small_frames.astype(int))
    # the same picture: only edges (road, grass patches, car) are blended differently
    assert difference.mean() < 1.0
    assert (difference.max(axis=-1) <= 16).mean() > 0.97


def test_a_render_scale_outside_zero_to_one_is_refused():
    from charles_core.errors import ConfigError

    for scale in (0.0, 1.5, float("nan")):
        with pytest.raises(ConfigError, match="render_scale"):
            CarRacingSession(seed=5, render_scale=scale)


def test_the_indicator_bar_is_drawn_at_the_smaller_size_when_not_cropped():
    with CarRacingSession(seed=5, render_scale=0.25, crop_indicators=False, frame_size=(80, 100)) as session:
        for _ in range(10):
            session.apply({"steering": 0.0, "throttle": 1.0})
        frame = session.read()
    bar = frame[-10:]  # the bottom eighth: black, with the speed bar and the score in white
    assert (bar.max(axis=-1) < 30).mean() > 0.5 and bar.max() > 200
