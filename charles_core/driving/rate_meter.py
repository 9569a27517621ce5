"""Events per second over a sliding window (FPS, PPS).

Example:

```python
from charles_core.driving.rate_meter import RateMeter
fps = RateMeter(window_s=2.0)
fps.tick()          # once per frame
fps.rate()          # events per second over the last 2 s
```
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable


class RateMeter:
    """Counts events and reports their recent rate; safe to tick from another thread.

    Args:
        window_s: how far back ``rate()`` looks.
        clock: monotonic seconds.
    """

    def __init__(self, window_s: float = 2.0, *, clock: Callable[[], float] = time.monotonic):
        self.window_s = float(window_s)
        self._clock = clock
        self._times: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self.count = 0

    def tick(self) -> None:
        now = self._clock()
        with self._lock:
            self._times.append(now)
            self.count += 1
            self._trim(now)

    def rate(self) -> float:
        """Events per second over the window (0 with fewer than two events)."""
        now = self._clock()
        with self._lock:
            self._trim(now)
            if len(self._times) < 2:
                return 0.0
            span = self._times[-1] - self._times[0]
            return (len(self._times) - 1) / span if span > 0 else 0.0

    def _trim(self, now: float) -> None:
        while self._times and now - self._times[0] > self.window_s:
            self._times.popleft()
