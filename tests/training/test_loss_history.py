"""``LossHistory``: every batch's losses while they fit, then an evenly thinned record of the whole run."""

import numpy as np
import pytest

from charles_core.errors import ConfigError
from charles_core.training.loss_history import LossHistory


def _batches(history):
    return [entry["batch"] for entry in history]


def test_below_the_limit_every_batch_is_kept():
    history = LossHistory(limit=5)
    for batch in range(1, 6):
        history.append({"batch": batch, "loss": 1.0})
    assert _batches(history) == [1, 2, 3, 4, 5] and history.stride == 1
    assert history[-1] == {"batch": 5, "loss": 1.0} and history[::2] == [history[0], history[2], history[4]]


@pytest.mark.parametrize("limit", [2, 3, 8, 1000])
def test_a_long_run_stays_within_the_limit_and_spans_the_run_evenly(limit):
    history = LossHistory(limit=limit)
    for batch in range(1, 100_001):
        history.append({"batch": batch})
        assert len(history) <= limit
    kept = _batches(history)
    assert kept[0] == 1 and 100_000 - kept[-1] < history.stride  # from the first batch to the last stride
    assert {b - a for a, b in zip(kept, kept[1:])} == {history.stride}
    assert len(kept) >= limit // 2


def test_a_numpy_integer_limit_is_an_integer():
    assert LossHistory(limit=np.int64(6)).limit == 6


@pytest.mark.parametrize("limit", [1, 0, -3, 2.5, True, "10"])
def test_a_limit_below_two_or_not_an_integer_is_refused(limit):
    with pytest.raises(ConfigError, match="limit"):
        LossHistory(limit=limit)
