"""Training and evaluation seeds never meet."""

import pytest

from charles_core.errors import ConfigError
from charles_core.sim.track_split import (
    TRAINING_SEED_START,
    check_evaluation_seeds,
    check_training_seeds,
    evaluation_seeds,
    is_training_seed,
    training_seeds,
)


def test_the_helpers_draw_from_disjoint_ranges():
    evaluation, training = evaluation_seeds(50), training_seeds(50)
    assert evaluation == tuple(range(50))
    assert training == tuple(range(TRAINING_SEED_START, TRAINING_SEED_START + 50))
    assert not set(evaluation) & set(training)
    assert evaluation_seeds(3, start=10) == (10, 11, 12)
    assert not any(is_training_seed(s) for s in evaluation) and all(is_training_seed(s) for s in training)


def test_a_training_seed_is_refused_for_evaluation_and_the_message_says_where_to_look():
    with pytest.raises(ConfigError, match=r"seeds \[100000\] are training tracks.*0-99,999"):
        check_evaluation_seeds([3, TRAINING_SEED_START])
    with pytest.raises(ConfigError, match="training tracks"):
        evaluation_seeds(5, start=TRAINING_SEED_START - 2)  # runs into the training range


def test_an_evaluation_seed_is_refused_for_training():
    with pytest.raises(ConfigError, match=r"seeds \[5\] are evaluation tracks"):
        check_training_seeds([TRAINING_SEED_START, 5])
    with pytest.raises(ConfigError, match="evaluation tracks"):
        training_seeds(3, start=0)


@pytest.mark.parametrize(
    "seeds, message",
    [([], "at least one"), ([-1], "non-negative"), ([1, 2, 1], "repeated"), (["3"], "integers"), ([1.5], "integers")],
)
def test_bad_evaluation_seeds(seeds, message):
    with pytest.raises(ConfigError, match=message):
        check_evaluation_seeds(seeds)


@pytest.mark.parametrize("count", [0, -3, 2.0, True])
def test_counts_must_be_positive_integers(count):
    with pytest.raises(ConfigError, match="positive integer"):
        evaluation_seeds(count)
