"""A background thread that reads a frame source into a one-slot "latest frame" queue.

Capture overlaps inference: while the main thread predicts on frame t, this
thread already grabs frame t+1. Only the newest frame is kept; an older one
nobody took is dropped (driving on a stale frame is worse than skipping one).
Capture is paced to ``rate_hz`` so it does not steal CPU from inference by
grabbing frames nobody will use.

Example:

```text
from charles_core.driving.frame_capture_thread import FrameCaptureThread
with FrameCaptureThread(source, rate_hz=30) as capture:
    frame, index, captured_at = capture.next_frame(after_index=-1, timeout_s=1.0)
```
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from charles_core.driving.rate_limiter import RateLimiter
from charles_core.driving.rate_meter import RateMeter


class FrameCaptureThread:
    """Reads ``source.read()`` in a daemon thread; the newest frame waits in one slot.

    Args:
        source: any object with ``read() -> RGB uint8 frame``.
        rate_hz: capture at most this often (0: as fast as the source allows).
        clock: monotonic seconds, shared with the player.

    Errors raised by ``source.read()`` stop the thread and are re-raised by
    the next ``next_frame`` call in the caller's thread.
    """

    def __init__(self, source, *, rate_hz: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self._source = source
        self._clock = clock
        self._limiter = RateLimiter(rate_hz, clock=clock)
        self._condition = threading.Condition()
        self._frame: np.ndarray | None = None
        self._index = -1
        self._taken = -1  # the newest index handed out by next_frame
        self._captured_at = 0.0
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self.meter = RateMeter(clock=clock)
        self._thread = threading.Thread(target=self._run, name="charles-frame-capture", daemon=True)

    @property
    def frames_captured(self) -> int:
        return self.meter.count

    def start(self) -> FrameCaptureThread:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._limiter.wait()
                frame = self._source.read()
                captured_at = self._clock()
                self.meter.tick()
                with self._condition:
                    self._frame, self._captured_at = frame, captured_at
                    self._index += 1
                    self._condition.notify_all()
                    if self._limiter.period == 0.0:
                        # Unpaced: capture the next frame only once this one was taken, so the
                        # thread overlaps inference instead of spinning against it for the CPU.
                        self._condition.wait_for(lambda: self._taken >= self._index or self._stop.is_set(), timeout=0.5)
        except BaseException as error:  # handed to the main thread
            with self._condition:
                self._error = error
                self._condition.notify_all()

    def next_frame(self, after_index: int, timeout_s: float, not_before: float | None = None):
        """Wait for a frame newer than ``after_index`` (and captured at or after ``not_before``).

        Returns:
            ``(frame, index, captured_at)``, or None on timeout.
        """
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while True:
                if self._error is not None:
                    raise self._error
                fresh = self._index > after_index and (not_before is None or self._captured_at >= not_before)
                if fresh:
                    self._taken = self._index
                    self._condition.notify_all()
                    return self._frame, self._index, self._captured_at
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._started_and_dead():
                    return None
                self._condition.wait(remaining)

    def _started_and_dead(self) -> bool:
        return self._thread.ident is not None and not self._thread.is_alive()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Ask the thread to finish its current read and stop."""
        self._stop.set()
        with self._condition:  # wake a capture waiting for its frame to be taken
            self._condition.notify_all()
        if self._thread.ident is not None:
            self._thread.join(timeout_s)

    def __enter__(self) -> FrameCaptureThread:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
