"""BatchPrefetcher: every batch once, in order; errors reach the consumer; closing never hangs."""

import os
import sys
import threading
import time

import pytest

from charles_core.training.batch_prefetcher import BatchPrefetcher


def counter():
    state = {"next": 0}

    def make():
        state["next"] += 1
        return state["next"]

    return make, state


def test_yields_every_batch_once_in_order():
    make, _ = counter()
    with BatchPrefetcher(make, count=7) as batches:
        assert list(batches) == [1, 2, 3, 4, 5, 6, 7]


def test_makes_batches_in_another_thread_ahead_of_the_consumer():
    threads = []

    def make():
        threads.append(threading.current_thread().name)
        return len(threads)

    with BatchPrefetcher(make, count=5, depth=2) as batches:
        iterator = iter(batches)
        assert next(iterator) == 1
        deadline = time.monotonic() + 5
        while len(threads) < 3 and time.monotonic() < deadline:  # 1 taken + 2 waiting
            time.sleep(0.01)
        assert len(threads) == 3, "the prefetcher should hold `depth` batches ready"
    assert set(threads) == {"charles-batch-prefetcher"}


def test_an_error_is_raised_in_the_consumer_after_the_good_batches():
    make, state = counter()

    def failing():
        if state["next"] == 2:
            raise ValueError("storage file truncated")
        return make()

    seen = []
    with pytest.raises(ValueError, match="truncated"):
        with BatchPrefetcher(failing, count=5) as batches:
            for batch in batches:
                seen.append(batch)
    assert seen == [1, 2]


def test_closing_early_stops_the_thread_without_making_every_batch():
    make, state = counter()
    prefetcher = BatchPrefetcher(make, count=10_000, depth=2)
    with prefetcher as batches:
        for batch in batches:
            if batch == 3:
                break
    assert not prefetcher._thread.is_alive()
    assert state["next"] <= 6


def test_rejects_a_zero_depth():
    with pytest.raises(ValueError, match="depth"):
        BatchPrefetcher(lambda: 1, count=3, depth=0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are set on Linux only")
def test_the_thread_runs_at_the_lower_priority_it_was_given():
    seen = []

    def make():
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return 1

    with BatchPrefetcher(make, count=1, nice=7) as batches:
        list(batches)
    assert seen == [min(19, os.getpriority(os.PRIO_PROCESS, 0) + 7)]


def test_rejects_a_nice_outside_0_to_19():
    with pytest.raises(ValueError, match="nice"):
        BatchPrefetcher(lambda: 1, count=1, nice=20)
