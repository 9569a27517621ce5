"""A one-line progress report on a terminal: samples, seconds, rate (``charles record``)."""

from __future__ import annotations

import math
import sys
import time


class ProgressLine:
    """One status line on a terminal, rewritten at most ``hz`` times a second: samples, seconds, rate.

    Args:
        stream: where it is written (stderr); nothing is written when ``enabled`` is False.
        enabled: write at all (``--no-progress`` turns it off).
        hz: rewrites per second at most.
    """

    def __init__(self, stream=None, enabled: bool = True, hz: float = 4.0):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled, self.every_s = enabled, 1.0 / hz
        self._last = -math.inf
        self._width = 0

    def update(self, samples: int, seconds: float, extra: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < self.every_s):
            return
        self._last = now
        rate = samples / seconds if seconds > 0 else 0.0
        text = f"recording: {samples:,} samples, {seconds:.1f} s, {rate:.1f} samples/s{extra}"
        self.stream.write("\r" + text.ljust(self._width))
        self._width = len(text)
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\n")
            self.stream.flush()
