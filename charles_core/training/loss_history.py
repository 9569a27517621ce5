"""The losses of every batch a trainer trained, in bounded memory however long it runs.

A live trainer trains for days; a list of every batch's losses would grow
without end. ``LossHistory`` keeps at most ``limit`` entries: when it is full it
drops every other entry and from then on keeps every second batch (then every
fourth, ...), so it spans the whole run at an even spacing (up to the last
``stride`` batches), which is what a loss plot needs.

Example:

```python
from charles_core.training.loss_history import LossHistory

history = LossHistory(limit=4)
for batch in range(1, 11):
    history.append({"batch": batch, "loss": 1.0 / batch})
[entry["batch"] for entry in history]  # [1, 5, 9]: every 4th batch, the whole run
```
"""

from __future__ import annotations

import numbers

from charles_core.errors import ConfigError


class LossHistory:
    """A list of per-batch log dicts that thins itself to at most ``limit`` entries.

    Args:
        limit: the most entries kept (at least 2).

    Attributes:
        stride: one entry is kept for every ``stride`` appended (1 until the first thinning).
    """

    def __init__(self, limit: int = 10_000):
        if isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 2:
            raise ConfigError(f"LossHistory limit must be an integer of at least 2; got {limit!r}")
        self.limit = int(limit)
        self.stride = 1
        self._entries: list[dict] = []
        self._appended = 0

    def append(self, entry: dict) -> None:
        """Record one batch's logs (kept if it falls on the current stride)."""
        if self._appended % self.stride == 0:
            if len(self._entries) >= self.limit:
                self._entries = self._entries[::2]
                self.stride *= 2
            if self._appended % self.stride == 0:
                self._entries.append(entry)
        self._appended += 1

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries)

    def __getitem__(self, index):
        return self._entries[index]  # a slice is a plain list

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __repr__(self) -> str:
        return f"LossHistory({len(self._entries)} of {self._appended} batches, every {self.stride})"
