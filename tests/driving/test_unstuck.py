import pytest

from charles_core.driving.unstuck import UnstuckDetector
from charles_core.driving.unstuck_config import UnstuckConfig
from charles_core.errors import ConfigError, DataError


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_car_that_does_not_move_is_stuck_after_one_interval():
    clock = FakeClock()
    detector = UnstuckDetector(check_interval_s=5.0, min_distance=3.0, clock=clock)
    assert detector.update((10.0, 10.0)) is False
    clock.now += 4.9
    assert detector.update((10.5, 10.0)) is False  # interval not over yet
    clock.now += 0.2
    assert detector.update((11.0, 10.0)) is True
    assert detector.last_distance == pytest.approx(1.0)
    assert detector.stuck


def test_a_moving_car_is_never_stuck():
    clock = FakeClock()
    detector = UnstuckDetector(check_interval_s=1.0, min_distance=2.0, clock=clock)
    for step in range(100):
        clock.now += 0.1
        assert detector.update((step * 0.5, 0.0)) is False  # 5 units per second


def test_moving_then_stopping_fires_within_two_intervals():
    clock = FakeClock()
    detector = UnstuckDetector(check_interval_s=2.0, min_distance=1.0, clock=clock)
    x = 0.0
    for _ in range(50):  # 5 s of driving at 10 units/s
        clock.now += 0.1
        x += 1.0
        assert not detector.update((x, 0.0))
    fired_at = None
    for i in range(100):  # parked
        clock.now += 0.1
        if detector.update((x, 0.0)):
            fired_at = i * 0.1
            break
    assert fired_at is not None and fired_at <= 2 * 2.0


def test_reset_starts_a_new_interval_from_the_new_place():
    clock = FakeClock()
    detector = UnstuckDetector(UnstuckConfig(check_interval_s=1.0, min_distance=1.0), clock=clock)
    detector.update((0.0, 0.0))
    clock.now += 1.0
    assert detector.update((0.0, 0.0))
    assert detector.update((0.0, 0.0))  # stays stuck until reset
    detector.reset()
    assert not detector.stuck
    assert detector.update((500.0, 500.0)) is False  # the teleport is not "movement" or "stuck"
    clock.now += 0.5
    assert detector.update((500.0, 500.0)) is False


def test_three_d_positions_and_bad_input():
    clock = FakeClock()
    detector = UnstuckDetector(check_interval_s=1.0, min_distance=1.0, clock=clock)
    detector.update((0.0, 0.0, 0.0))
    clock.now += 1.0
    assert detector.update((0.0, 0.0, 2.0)) is False  # climbing counts
    with pytest.raises(DataError, match="same number"):
        clock.now += 1.0
        detector.update((0.0, 0.0))
    with pytest.raises(DataError):
        detector.update(("a", 1))


@pytest.mark.parametrize("kwargs", [{"check_interval_s": 0}, {"min_distance": -1}, {"min_distance": float("nan")}])
def test_bad_settings(kwargs):
    with pytest.raises(ConfigError):
        UnstuckConfig(**kwargs)
    with pytest.raises(ConfigError):
        UnstuckDetector(UnstuckConfig(), min_distance=2.0)
