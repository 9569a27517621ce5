"""Detects a stuck car from its positions over time (pure logic, clock injected).

Every ``check_interval_s`` seconds the detector compares the latest position
with the one at the previous check; if the car moved less than
``min_distance``, it is stuck. The player then stops predicting, lets the
environment move the car (``on_stuck``: fade out, teleport, wait for the world,
fade in) and calls ``reset()`` so the next check starts from the new place.

Example:

```text
from charles_core.driving.unstuck import UnstuckDetector
detector = UnstuckDetector(check_interval_s=5.0, min_distance=5.0)
if detector.update(session.position):
    session.teleport_random()
    detector.reset()
```
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from charles_core.driving.unstuck_config import UnstuckConfig
from charles_core.errors import ConfigError, DataError


class UnstuckDetector:
    """Says when the car has not moved far enough for a while.

    Args:
        config: the check interval and distance; keyword overrides
            (``check_interval_s=``, ``min_distance=``) build one.
        clock: seconds as a float, monotonic; ``time.monotonic`` by default,
            a fake in tests.

    Example:

    ```text
    detector = UnstuckDetector(check_interval_s=2.0, min_distance=1.0, clock=fake_clock)
    detector.update((0.0, 0.0))   # False: first position, the clock starts
    ```
    """

    def __init__(
        self,
        config: UnstuckConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        **overrides,
    ):
        if config is not None and overrides:
            raise ConfigError("pass either an UnstuckConfig or keyword settings, not both")
        self.config = config if config is not None else UnstuckConfig(**overrides)
        self._clock = clock
        self._anchor_position: tuple[float, ...] | None = None
        self._anchor_time = 0.0
        self.last_distance: float | None = None
        self._stuck = False

    def update(self, position: Sequence[float]) -> bool:
        """Record the car's current position; True when the car is stuck.

        Args:
            position: ``(x, y)`` or ``(x, y, z)``, always the same length.

        Returns:
            True at a check where the car moved less than ``min_distance`` since
            the previous check. It stays True on later calls until ``reset()``.
        """
        point = self._as_point(position)
        now = self._clock()
        if self._anchor_position is None:
            self._anchor_position, self._anchor_time = point, now
            return False
        if len(point) != len(self._anchor_position):
            raise DataError(
                f"positions must keep the same number of coordinates; got {len(point)} after "
                f"{len(self._anchor_position)}"
            )
        if now - self._anchor_time < self.config.check_interval_s:
            return self.stuck
        self.last_distance = math.dist(point, self._anchor_position)
        if self.last_distance < self.config.min_distance:
            self._stuck = True
            return True
        self._anchor_position, self._anchor_time = point, now
        return False

    @property
    def stuck(self) -> bool:
        """True from the check that found the car stuck until ``reset()``."""
        return self._stuck

    def reset(self) -> None:
        """Forget the past: the next ``update`` starts a new interval (after a teleport)."""
        self._anchor_position = None
        self._stuck = False
        self.last_distance = None

    @staticmethod
    def _as_point(position) -> tuple[float, ...]:
        try:
            point = tuple(float(c) for c in position)
        except (TypeError, ValueError):
            raise DataError(f"position must be a sequence of numbers like (x, y); got {position!r}") from None
        if len(point) < 1 or not all(math.isfinite(c) for c in point):
            raise DataError(f"position must be finite numbers like (x, y); got {position!r}")
        return point
