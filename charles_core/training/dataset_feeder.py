"""Refill a line's buffers from a recorded dataset (``charles train --data DIR``)."""

from __future__ import annotations

from charles_core.errors import DataError
from charles_core.lines.line_config import LineConfig
from charles_core.training.buffer_feed import step_until_trainable


class DatasetFeeder:
    """Refills buffers from a recorded dataset, each recorded sample used once.

    Lines that see several frames get each sample's frames from the samples
    recorded just before it (oldest on top; the first ones repeat the oldest).

    Args:
        dataset: a :class:`~charles_core.data.recorded_dataset.RecordedDataset`.
        line: the line (input size, frames).
        input_size: frames are resized to it.
        balancer: the balancer to sort samples with.
        buffers: the buffers to fill.
    """

    def __init__(self, dataset, line: LineConfig, input_size, balancer, buffers):
        import collections

        self.dataset, self.line, self.input_size = dataset, line, tuple(input_size)
        self.balancer, self.buffers = balancer, buffers
        self.position = 0
        self._frames = collections.deque(maxlen=line.frames)

    def step(self) -> int:
        import attrs
        import numpy as np

        from charles_core.frames import resize_frame

        if self.position >= len(self.dataset):
            raise DataError(
                f"recording {getattr(self.dataset, 'path', '')} is used up after {self.position:,} samples "
                f"(buffers hold {self.buffers.counts()}); record more or lower --capacity"
            )
        sample = self.dataset[self.position]
        self.position += 1
        self._frames.append(resize_frame(sample.frame, self.input_size))
        while len(self._frames) < self._frames.maxlen:
            self._frames.appendleft(self._frames[0])
        frame = np.concatenate(list(self._frames), axis=0) if self.line.frames > 1 else self._frames[-1]
        self.balancer.add(attrs.evolve(sample, frame=frame))
        return sum(self.buffers.add_ready(self.balancer.take_ready()).values())

    def refill(self, max_steps: int = 500) -> int:
        return step_until_trainable(self.step, self.buffers, max_steps)
