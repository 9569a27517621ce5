"""The driving score formula and its settings."""

import pytest

from charles_core.errors import ConfigError, DataError
from charles_core.evaluation.driving_score import DrivingScore


def test_a_clean_full_lap_scores_100_and_penalties_multiply():
    score = DrivingScore(off_road_factor=0.9, unstuck_factor=0.5)
    assert score.score(1.0, 0.0, 0) == 100.0
    assert score.score(0.5, 0.0, 0) == pytest.approx(50.0)
    assert score.score(1.0, 2.0, 0) == pytest.approx(100 * 0.9**2)
    assert score.score(0.8, 1.5, 2) == pytest.approx(100 * 0.8 * 0.9**1.5 * 0.5**2)


def test_the_default_penalties():
    score = DrivingScore()
    assert score.penalty(10.0, 0) == pytest.approx(0.95**10)
    assert score.penalty(0.0, 1) == pytest.approx(0.7)


@pytest.mark.parametrize(
    "options", [{"off_road_factor": 0.0}, {"off_road_factor": 1.5}, {"unstuck_factor": -1}, {"unstuck_factor": True}]
)
def test_penalty_factors_outside_0_1_are_refused(options):
    with pytest.raises(ConfigError, match="factor in \\(0, 1\\]"):
        DrivingScore(**options)


def test_impossible_measurements_are_refused():
    with pytest.raises(DataError, match="route completion"):
        DrivingScore().score(1.2, 0.0, 0)
    with pytest.raises(DataError, match="non-negative"):
        DrivingScore().score(1.0, -1.0, 0)
