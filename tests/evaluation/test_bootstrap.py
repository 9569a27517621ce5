"""Bootstrap and Wilson intervals on data whose answer is known."""

import numpy as np
import pytest

from charles_core.errors import ConfigError, DataError
from charles_core.evaluation.bootstrap import Bootstrap
from charles_core.evaluation.interval import Interval


def test_the_interval_contains_the_mean_and_narrows_with_more_tracks():
    rng = np.random.default_rng(1)
    boot = Bootstrap()
    small = rng.normal(500, 100, size=10)
    large = rng.normal(500, 100, size=400)
    for values in (small, large):
        interval = boot.mean(values)
        assert interval.estimate == pytest.approx(values.mean())
        assert interval.low < values.mean() < interval.high
    assert boot.mean(large).width < boot.mean(small).width / 3  # ~sqrt(40) narrower


def test_the_interval_matches_the_normal_theory_on_a_large_sample():
    values = np.random.default_rng(2).normal(0, 1, size=1000)
    interval = Bootstrap(resamples=4000).mean(values)
    half = 1.96 * values.std() / np.sqrt(values.size)
    assert interval.low == pytest.approx(values.mean() - half, abs=0.15 * half)
    assert interval.high == pytest.approx(values.mean() + half, abs=0.15 * half)


def test_a_fixed_seed_gives_the_same_interval_and_another_seed_a_slightly_different_one():
    values = [920, 910, 300, 915, 480, 905]
    assert Bootstrap().mean(values) == Bootstrap().mean(values)
    assert Bootstrap(seed=1).mean(values) != Bootstrap().mean(values)


def test_paired_statistics_of_identical_drivers_are_exact():
    values = [920.0, 910.0, 300.0, 915.0, 480.0]
    boot = Bootstrap()
    ratio = boot.ratio_of_means(values, values)
    assert (ratio.estimate, ratio.low, ratio.high) == pytest.approx((1.0, 1.0, 1.0))
    difference = boot.paired_difference(values, values)
    assert (difference.estimate, difference.low, difference.high) == (0.0, 0.0, 0.0)


def test_pairing_removes_the_spread_of_the_tracks():
    # Two drivers whose rewards swing together track by track: the unpaired
    # intervals overlap, the paired difference is tight and clearly positive.
    tracks = np.random.default_rng(3).uniform(100, 900, size=20)
    better, worse = tracks + 20, tracks
    boot = Bootstrap()
    assert boot.mean(better).low < boot.mean(worse).high
    difference = boot.paired_difference(better, worse)
    assert difference.low == pytest.approx(20.0) and difference.high == pytest.approx(20.0)
    ratio = boot.ratio_of_means(better, worse)
    assert 1.0 < ratio.low <= ratio.estimate <= ratio.high


def test_a_ratio_to_a_non_positive_mean_is_none():
    assert Bootstrap().ratio_of_means([10, 20], [-5, -3]) is None


def test_bad_data_and_settings_are_refused():
    with pytest.raises(DataError, match="at least one value"):
        Bootstrap().mean([])
    with pytest.raises(DataError, match="NaN"):
        Bootstrap().mean([1.0, float("nan")])
    with pytest.raises(DataError, match="one value per track"):
        Bootstrap().paired_difference([1, 2, 3], [1, 2])
    with pytest.raises(ConfigError, match="resamples"):
        Bootstrap(resamples=10)
    with pytest.raises(ConfigError, match="confidence"):
        Bootstrap(confidence=95)


def test_wilson_interval_of_a_proportion():
    all_laps = Interval.wilson(20, 20)
    assert all_laps.estimate == 1.0 and all_laps.high == 1.0
    assert all_laps.low == pytest.approx(0.839, abs=0.001)  # the textbook value for 20/20
    half = Interval.wilson(10, 20)
    assert half.low == pytest.approx(0.299, abs=0.001) and half.high == pytest.approx(0.701, abs=0.001)
    assert Interval.wilson(0, 20).low == 0.0
    with pytest.raises(ConfigError, match="successes"):
        Interval.wilson(3, 2)
