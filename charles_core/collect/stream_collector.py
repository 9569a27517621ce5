"""A stream of samples in time order -> the line's balancer -> balanced samples per buffer.

The collectors that do not drive the simulator themselves (a recording replayed, the game)
read one car's samples in time order from a *stream* (``read(timeout_s) -> Sample | None``,
``finished``, ``close()``) and balance them where they are made, as the original collectors
did. Each sample's frame joins the line's frame stack (lines that see several frames) and its
history is rebuilt strictly past, exactly as ``charles train --data`` does
(:class:`~charles_core.collect.dataset_feeder.DatasetFeeder`): the keeper is read before the
sample, then the sample's own controls, speed and purpose are pushed after it, so step t's
history holds steps t-N .. t-1 and never step t's label.

Example:

```text
collector = StreamCollector(RecordingStream("rec"), line, (72, 96))
ready = collector.collect(64)   # {"steering": [Sample, ...], "throttle": [...]}
```
"""

from __future__ import annotations

import math
import time

import attrs

from charles_core.data.sample import Sample
from charles_core.errors import ConfigError
from charles_core.lines.line_config import LineConfig


class StreamCollector:
    """Balances a sample stream for a line; the collector protocol of ``charles_register_collectors``.

    Args:
        stream: ``read(timeout_s) -> Sample | None`` in time order (frames at any size: they are
            resized to ``input_size``), ``finished``, ``close()``.
        line: the line being trained (frames per sample, history, balancing, outputs).
        input_size: ``(height, width)`` of the stored frames.
        bins: ``"spec"`` (default: recorded driving) or ``"coarse"``: the balancer's bins.
        max_seconds_per_call: the longest one :meth:`collect` call takes, waits included.

    Raises:
        ConfigError: bad settings.
    """

    def __init__(self, stream, line: LineConfig, input_size, *, bins: str = "spec", max_seconds_per_call: float = 2.0):
        from charles_core.codec.line_codec import LineCodec
        from charles_core.collect.data_pipeline import make_balancer

        if (
            isinstance(max_seconds_per_call, bool)
            or not isinstance(max_seconds_per_call, (int, float))
            or not math.isfinite(max_seconds_per_call)
            or max_seconds_per_call <= 0
        ):
            raise ConfigError(
                f"collector: max_seconds_per_call must be a positive number of seconds; got {max_seconds_per_call!r}"
            )
        self.stream, self.line = stream, line
        self.max_seconds_per_call = float(max_seconds_per_call)
        self.codec = LineCodec(line, input_size)
        self.balancer = make_balancer(line, bins=bins)
        self.buffer_names = tuple(self.balancer.buffer_names)
        self._frames = self.codec.new_frame_stack()
        self._history = self.codec.new_sample_history()
        self.samples = 0  # stream samples offered to the balancer

    @property
    def finished(self) -> bool:
        """``True`` once the stream has nothing more (a recording read to its end)."""
        return bool(self.stream.finished)

    def add(self, sample: Sample) -> None:
        """Offer one stream sample to the balancer, with its stacked frame and strictly past history."""
        frame = self._frames.push(sample.frame)
        past = self.codec.sample_history(self._history)  # read before this sample
        if self._history is not None:  # its own controls join the history after it
            self._history.push(
                {
                    "throttle": sample.throttle,
                    "steering": sample.steering,
                    "speed": sample.speed,
                    "purpose": sample.purpose,
                }
            )
        self.balancer.add(attrs.evolve(sample, frame=frame, history=past))
        self.samples += 1

    def collect(self, max_samples: int) -> dict[str, list[Sample]]:
        """Read and balance until about ``max_samples`` balanced samples are ready, or the time limit.

        A balanced set is never split (a call may return a few more than ``max_samples``); fewer,
        or none, when the stream had nothing ready within ``max_seconds_per_call`` or finished.
        """
        if isinstance(max_samples, bool) or not isinstance(max_samples, int) or max_samples < 1:
            raise ConfigError(f"collect(max_samples) needs max_samples >= 1; got {max_samples!r}")
        deadline = time.monotonic() + self.max_seconds_per_call
        ready: dict[str, list[Sample]] = {}
        count = 0
        while count < max_samples and not self.stream.finished:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sample = self.stream.read(timeout_s=left)
            if sample is None:
                continue  # the loop ends at the deadline or when the stream finishes
            self.add(sample)
            for name, samples in self.balancer.take_ready().items():
                if samples:
                    ready.setdefault(name, []).extend(samples)
                    count += len(samples)
        return ready

    def close(self) -> None:
        self.stream.close()
