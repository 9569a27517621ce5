import numpy as np
import pytest

from charles_core.codec.history_keeper import HistoryKeeper
from charles_core.errors import ConfigError, DataError


def test_padding_comes_first_and_newest_is_last():
    keeper = HistoryKeeper(signals=("throttle", "steering"), length=4)
    start = keeper.history()
    assert start["throttle"].shape == (4,) and start["throttle"].dtype == np.float32
    assert np.all(start["throttle"] == 0.0)
    assert not keeper.valid_mask().any()
    keeper.push({"throttle": 0.1, "steering": -0.1})
    keeper.push({"throttle": 0.2, "steering": -0.2})
    history = keeper.history()
    np.testing.assert_allclose(history["throttle"], [0.0, 0.0, 0.1, 0.2])
    np.testing.assert_allclose(history["steering"], [0.0, 0.0, -0.1, -0.2])
    assert keeper.valid_mask().tolist() == [False, False, True, True]


def test_keeps_only_the_last_length_values_oldest_first():
    keeper = HistoryKeeper(signals=("speed",), length=60)
    for step in range(100):
        keeper.push({"speed": float(step)})
    np.testing.assert_array_equal(keeper.history()["speed"], np.arange(40, 100, dtype=np.float32))
    assert keeper.valid_mask().all()


def test_the_current_value_never_appears_in_its_own_history():
    """Drive a loop the way the player does: read history, predict step t, then push step t."""
    keeper = HistoryKeeper(signals={"throttle": (), "steering": (), "purpose": (2,)}, length=60)
    rng = np.random.default_rng(0)
    for step in range(150):
        current = {
            # unique, non-zero values so a leak cannot hide behind padding or repeats
            "throttle": 0.001 * (step + 1),
            "steering": -0.001 * (step + 1),
            "purpose": rng.uniform(0.1, 1.0, size=2).astype(np.float32),
        }
        history = keeper.history()  # what the model sees when asked for step `step`
        assert not np.any(np.isclose(history["throttle"], current["throttle"], rtol=0, atol=1e-7))
        assert not np.any(np.isclose(history["steering"], current["steering"], rtol=0, atol=1e-7))
        assert not np.any(np.all(np.isclose(history["purpose"], current["purpose"], atol=1e-7), axis=1))
        if step:
            # ... and the newest entry is exactly the previous step
            assert history["throttle"][-1] == pytest.approx(0.001 * step)
        keeper.push(current)


def test_history_arrays_are_copies():
    keeper = HistoryKeeper(signals=("speed",), length=3)
    keeper.push({"speed": 1.0})
    view = keeper.history()
    view["speed"][:] = 99.0
    assert keeper.history()["speed"][-1] == 1.0


def test_past_frames_pad_with_the_oldest_and_exclude_the_current():
    keeper = HistoryKeeper(signals=(), length=1, frame_count=3)
    current = np.full((2, 2, 3), 9, np.uint8)
    np.testing.assert_array_equal(keeper.past_frames(fill=current), np.stack([current] * 3))
    with pytest.raises(DataError, match="fill"):
        keeper.past_frames()
    for value in (1, 2):
        keeper.push({}, frame=np.full((2, 2, 3), value, np.uint8))
    frames = keeper.past_frames(fill=current)
    assert frames.shape == (3, 2, 2, 3)
    assert [int(f[0, 0, 0]) for f in frames] == [1, 1, 2]
    for value in (3, 4, 5):
        keeper.push({}, frame=np.full((2, 2, 3), value, np.uint8))
    assert [int(f[0, 0, 0]) for f in keeper.past_frames()] == [3, 4, 5]


def test_clear_forgets_everything():
    keeper = HistoryKeeper(signals=("speed",), length=3, frame_count=1)
    keeper.push({"speed": 5.0}, frame=np.zeros((1, 1, 3), np.uint8))
    keeper.clear()
    assert keeper.steps_pushed == 0
    assert np.all(keeper.history()["speed"] == 0.0)


def test_bad_pushes_and_settings_are_named():
    keeper = HistoryKeeper(signals={"speed": (), "purpose": (2,)}, length=3)
    with pytest.raises(DataError, match="purpose"):
        keeper.push({"speed": 1.0})
    with pytest.raises(DataError, match="shape"):
        keeper.push({"speed": 1.0, "purpose": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match="finite"):
        keeper.push({"speed": float("nan"), "purpose": [1.0, 2.0]})
    assert keeper.steps_pushed == 0  # a rejected push changes nothing
    with pytest.raises(ConfigError):
        HistoryKeeper(length=0)
    with pytest.raises(ConfigError):
        HistoryKeeper(signals="speed")
    with pytest.raises(ConfigError, match="frame_count"):
        HistoryKeeper().past_frames()
