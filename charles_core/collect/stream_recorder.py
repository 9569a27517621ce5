"""Write a sample stream to a recording (``charles record``), with a progress line and limits.

Example:

```text
with RecordedDatasetWriter("rec", (96, 128)) as writer:
    summary = record_stream(SimStream(frame_size=(96, 128)), writer, samples=500)
summary["samples"], summary["rate"]
```
"""

from __future__ import annotations

import math
import time

from charles_core.collect.progress_line import ProgressLine
from charles_core.errors import ConfigError


def record_stream(
    stream,
    writer,
    *,
    samples: int | None = None,
    minutes: float | None = None,
    progress: ProgressLine | None = None,
    describe=None,
) -> dict:
    """Append ``stream``'s samples to ``writer`` until a limit, the stream's end or Ctrl-C.

    Args:
        stream: ``read(timeout_s) -> Sample | None`` and ``finished`` (see ``StreamCollector``).
        writer: ``append(sample)`` (a ``RecordedDatasetWriter`` or ``SegmentedRecordingWriter``);
            closed by the caller.
        samples: stop after this many samples.
        minutes: stop after this much wall time.
        progress: the progress line (none by default).
        describe: optional ``() -> str`` appended to the progress line (e.g. dropped lines).

    Returns:
        ``{"samples", "seconds", "rate", "stopped"}``; ``stopped`` is ``"samples"``,
        ``"minutes"``, ``"finished"`` (the stream ended: a person closed the window) or
        ``"interrupted"`` (Ctrl-C: what was recorded is kept).

    Raises:
        ConfigError: neither limit given for an endless stream, or a limit that is not positive.
    """
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, int) or samples < 1):
        raise ConfigError(f"--samples must be a positive whole number; got {samples!r}")
    if minutes is not None and not (isinstance(minutes, (int, float)) and math.isfinite(minutes) and minutes > 0):
        raise ConfigError(f"--minutes must be a positive number; got {minutes!r}")
    started = time.monotonic()
    deadline = started + minutes * 60.0 if minutes is not None else math.inf
    count, stopped = 0, "finished"
    try:
        while True:
            if samples is not None and count >= samples:
                stopped = "samples"
                break
            now = time.monotonic()
            if now >= deadline:
                stopped = "minutes"
                break
            if stream.finished:
                break
            sample = stream.read(timeout_s=min(1.0, deadline - now))
            if sample is not None:
                writer.append(sample)
                count += 1
            if progress is not None:
                progress.update(count, time.monotonic() - started, describe() if describe else "")
    except KeyboardInterrupt:
        stopped = "interrupted"
    seconds = time.monotonic() - started
    if progress is not None:
        progress.update(count, seconds, describe() if describe else "", force=True)
        progress.done()
    return {
        "samples": count,
        "seconds": round(seconds, 3),
        "rate": round(count / seconds, 2) if seconds else 0.0,
        "stopped": stopped,
    }
