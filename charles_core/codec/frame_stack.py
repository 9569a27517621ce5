"""The last few frames of one car or player, kept at the line's input size."""

from __future__ import annotations

import collections

import numpy as np

from charles_core.common.frames import resize_frame
from charles_core.errors import ConfigError


def stack_frames(frames, count: int, input_size) -> np.ndarray:
    """Frames, oldest first, as the line's stored layout: one ``count``-tall image.

    Each frame is resized to ``input_size``; fewer than ``count`` frames are
    padded at the top by repeating the oldest (a car standing still before the
    first step). One frame comes back as itself (``(H, W, 3)``).

    Args:
        frames: RGB uint8 frames, oldest first (at least one).
        count: frames the line sees (``LineConfig.frames``).
        input_size: ``(height, width)`` of each stored frame.

    Example:

    ```text
    tall = stack_frames([frame_a, frame_b], count=2, input_size=(72, 96))  # (144, 96, 3)
    ```
    """
    frames = [resize_frame(frame, input_size) for frame in frames][-count:]
    if not frames:
        raise ConfigError("stack_frames needs at least one frame")
    frames = [frames[0]] * (count - len(frames)) + frames
    return frames[0] if count == 1 else np.concatenate(frames, axis=0)


class FrameStack:
    """The last ``count`` frames of one car, resized once as they arrive.

    Args:
        count: frames the line sees.
        input_size: ``(height, width)`` of each stored frame.

    Example:

    ```text
    stack = FrameStack(2, (72, 96))
    stack.push(frame).shape  # (144, 96, 3): the first frame twice, oldest on top
    ```
    """

    def __init__(self, count: int, input_size):
        if int(count) < 1:
            raise ConfigError(f"a frame stack keeps at least one frame; got {count!r}")
        self.count, self.input_size = int(count), tuple(input_size)
        self._frames: collections.deque = collections.deque(maxlen=self.count)

    def push(self, frame: np.ndarray) -> np.ndarray:
        """Add the newest frame; returns the stored layout of the last ``count`` frames."""
        self._frames.append(resize_frame(frame, self.input_size))
        return stack_frames(self._frames, self.count, self.input_size)

    def clear(self) -> None:
        """Forget the frames (a new episode, or a car moved by unstuck)."""
        self._frames.clear()
