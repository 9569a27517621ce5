"""The weights board: the latest published weight set, by version (a small Ray actor).

The trainer ``ray.put``s its weight list (the object store carries it to every
node that asks) and posts the reference here with a version; players long-poll
:meth:`WeightsBoard.wait_newer` and fetch the weights themselves. The board holds
references, never the weights, so it stays small and fast.
"""

from __future__ import annotations

import threading
import time
import uuid


class WeightsBoard:
    """Versioned weight sets: ``publish`` by the trainer, ``wait_newer`` by players.

    An entry is a dict: ``version`` (1, 2, ... per board), ``batch`` (the trainer's batch
    counter when published), ``refs`` (a one-element list holding the ``ObjectRef`` of the
    weight list, wrapped so Ray hands the reference on instead of the weights),
    ``published_at`` (the trainer's ``time.time()``) and ``epoch`` (this board's id: a
    restarted board starts its versions again under a new epoch).
    """

    def __init__(self):
        self.epoch = uuid.uuid4().hex[:8]
        self._entry: dict | None = None
        self._changed = threading.Condition()

    def publish(self, batch: int, refs: list, published_at: float) -> int:
        """Post a new weight set; returns its version."""
        with self._changed:
            version = 1 if self._entry is None else self._entry["version"] + 1
            self._entry = {
                "version": version,
                "batch": int(batch),
                "refs": list(refs),
                "published_at": float(published_at),
                "epoch": self.epoch,
            }
            self._changed.notify_all()
            return version

    def latest(self) -> dict | None:
        """The latest entry, or ``None`` before the first publish."""
        with self._changed:
            return self._entry

    def wait_newer(self, epoch: str | None, version: int, timeout_s: float) -> dict | None:
        """The latest entry once it is newer than ``(epoch, version)``; ``None`` after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while self._entry is None or (self._entry["epoch"] == epoch and self._entry["version"] <= version):
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)
            return self._entry
