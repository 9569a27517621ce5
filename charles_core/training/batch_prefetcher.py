"""Makes the next training batches in a background thread while the model trains.

TensorFlow releases the GIL while it runs a step, so drawing from the
buffers (and stepping the simulator when they need refilling) overlaps the
step instead of adding to it.

Example:

```text
with BatchPrefetcher(lambda: model_data(line, feed.next_batch(16)), count=100) as batches:
    for inputs, targets, weights in batches:
        model.train_on_batch(inputs, targets, sample_weight=weights)
```
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator


class BatchPrefetcher:
    """Calls ``make_batch()`` ``count`` times in a thread, at most ``depth`` batches ahead.

    Args:
        make_batch: returns the next batch; an exception it raises is raised
            again in the consumer, at the batch it failed to make.
        count: how many batches to make.
        depth: how many finished batches may wait (each holds memory).
        nice: how much lower the thread's scheduling priority is (Linux; 0 to
            19). When training keeps every core busy, a low-priority thread runs
            in the gaps between TensorFlow's work instead of stalling it, and
            gets the cores whenever training waits for a batch.
    """

    _DONE = object()

    def __init__(self, make_batch: Callable[[], object], count: int, depth: int = 2, nice: int = 0):
        if count < 0 or depth < 1:
            raise ValueError(f"BatchPrefetcher needs count >= 0 and depth >= 1; got {count}, {depth}")
        if not 0 <= nice <= 19:
            raise ValueError(f"BatchPrefetcher nice must lie in 0..19; got {nice}")
        self._make_batch, self._count, self._nice = make_batch, int(count), int(nice)
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="charles-batch-prefetcher", daemon=True)

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        if self._nice and sys.platform.startswith("linux"):  # Linux: a thread id is a valid "process" here
            thread = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + self._nice))
        try:
            for _ in range(self._count):
                if self._stop.is_set() or not self._put(("batch", self._make_batch())):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            self._put(("error", error))
            return
        self._put(("done", self._DONE))

    def __enter__(self) -> BatchPrefetcher:
        self._thread.start()
        return self

    def __iter__(self) -> Iterator[object]:
        while True:
            kind, item = self._queue.get()
            if kind == "batch":
                yield item
            elif kind == "error":
                raise item
            else:
                return

    def close(self) -> None:
        """Stop making batches (the one being made is finished and dropped)."""
        self._stop.set()
        self._thread.join()

    def __exit__(self, *exc_info) -> None:
        self.close()
