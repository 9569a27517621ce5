"""Keeps a loop at a fixed rate: sleep to the next tick, never run ahead.

Ticks sit on a fixed grid ``start + k / rate_hz``. A late iteration does not
cause a burst of catch-up iterations: the grid restarts from now (a driving
model gains nothing from two predictions on the same instant).

Example:

```text
from charles_core.driving.rate_limiter import RateLimiter
limiter = RateLimiter(30.0)
while driving:
    limiter.wait()     # returns at most 30 times per second
    step()
```
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from charles_core.errors import ConfigError


class RateLimiter:
    """Sleeps so that ``wait()`` returns at most ``rate_hz`` times per second.

    Args:
        rate_hz: target rate; 0 or ``math.inf`` means no limit.
        clock: monotonic seconds (``time.monotonic``).
        sleep: ``time.sleep`` or a fake.
    """

    def __init__(
        self,
        rate_hz: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not isinstance(rate_hz, (int, float)) or math.isnan(rate_hz) or rate_hz < 0:
            raise ConfigError(f"rate_hz must be >= 0 (0: unlimited); got {rate_hz!r}")
        self.period = 0.0 if rate_hz in (0, math.inf) else 1.0 / rate_hz
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None
        self.late_ticks = 0

    def wait(self) -> float:
        """Sleep until the next tick; return the time slept (0 when late)."""
        now = self._clock()
        if self.period == 0.0:
            return 0.0
        if self._next is None:
            self._next = now + self.period
            return 0.0
        delay = self._next - now
        if delay > 0:
            self._sleep(delay)
            self._next += self.period
            return delay
        self.late_ticks += 1
        self._next = now + self.period  # restart the grid: no catch-up burst
        return 0.0

    def reset(self) -> None:
        """Start a new grid at the next ``wait()`` (after a pause)."""
        self._next = None
