"""A batch source on a BufferSet: waits (refilling) while training must pause."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from charles_core.errors import DataError


def step_until_trainable(step: Callable[[], int], buffers, max_steps: int) -> int:
    """Call ``step()`` (one sample source step) until ``buffers`` may train, at most ``max_steps`` times."""
    stored = 0
    for _ in range(max_steps):
        stored += step()
        if buffers.can_train:
            break
    return stored


class BufferFeed:
    """Draws equal random batches from the buffers, refilling them when they run low.

    Training starts when every buffer is full and pauses while any is below
    its pause fraction (``BufferSet.can_train``); while paused, ``refill()``
    is called (e.g. the collector driving on) until training may go on.

    Args:
        buffers: a :class:`~charles_core.data.buffer_set.BufferSet`.
        refill: called repeatedly while the buffers cannot train; ``None``
            means nothing refills them (a pause is then an error).
        seed: seed of the draws.

    Example:

    ```text
    feed = BufferFeed(buffers, refill=collector.refill)
    batch = feed.next_batch(16)
    ```
    """

    def __init__(self, buffers, refill: Callable[[], object] | None = None, seed: int = 0):
        self.buffers = buffers
        self.refill = refill
        self.rng = np.random.default_rng(seed)

    def next_batch(self, n_per_buffer: int) -> dict:
        while not self.buffers.can_train:
            if self.refill is None:
                raise DataError(
                    f"the buffers hold {self.buffers.counts()} of {self.buffers.config.capacity} each, "
                    "below what training needs, and nothing refills them"
                )
            self.refill()
        return self.buffers.draw(n_per_buffer, self.rng)

    @property
    def buffer_names(self) -> tuple[str, ...]:
        """Buffer names in the order of a batch's ``buffer`` index."""
        return tuple(self.buffers.outputs)

    def fill_levels(self) -> dict[str, float]:
        return self.buffers.fill_levels()
