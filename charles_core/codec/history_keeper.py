"""Strictly-past history of named signals and frames, for history-fed lines.

Lines 0001 v1/v2 and 0007-0009 see the last 60 values of throttle, steering,
speed and purpose. The value the model is asked to predict must never appear
in its own history (the original project shipped that leak twice and the model
learned to copy it). ``HistoryKeeper`` enforces this by construction: the
player reads ``history()`` *before* predicting step t and ``push()``-es step
t's values *after*, so ``history()`` at step t holds steps t-N .. t-1 only.

Padding: before N steps have been pushed, the missing oldest entries are
filled with ``pad_value`` (0.0: no throttle, no steering, standing still, no
purpose), placed *before* the real values so the newest entry is always last.
``valid_mask()`` tells real entries from padding. Past frames are padded by
repeating the oldest frame pushed so far (or a ``fill`` frame before any),
which is what a stacked-frame model sees at a standstill.

Example:

```python
from charles_core.codec.history_keeper import HistoryKeeper
keeper = HistoryKeeper(signals={"throttle": (), "steering": (), "speed": (), "purpose": (2,)})
inputs = keeper.history()          # each (60, ...) float32, oldest first, all padding now
keeper.push({"throttle": 0.5, "steering": 0.0, "speed": 3.2, "purpose": [0.4, -0.1]})
keeper.history()["throttle"][-1]   # 0.5: the previous step, never the current one
```
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Mapping

import numpy as np

from charles_core.errors import ConfigError, DataError

DEFAULT_LENGTH = 60
DEFAULT_SIGNALS = ("throttle", "steering", "speed")


class HistoryKeeper:
    """The last ``length`` values of named signals and the last ``frame_count`` frames.

    Args:
        signals: signal names (scalars) or a mapping of name -> value shape,
            e.g. ``{"purpose": (2,)}`` for distance and direction.
        length: how many past values ``history()`` returns per signal (60).
        frame_count: how many past frames to keep (0: none).
        pad_value: what fills the history before ``length`` steps were pushed.

    Example:

    ```python
    keeper = HistoryKeeper(signals=("throttle", "steering"), length=3)
    keeper.push({"throttle": 1.0, "steering": -0.5})
    keeper.history()["throttle"]   # array([0., 0., 1.], dtype=float32)
    ```
    """

    def __init__(
        self,
        signals: Iterable[str] | Mapping[str, tuple[int, ...]] = DEFAULT_SIGNALS,
        *,
        length: int = DEFAULT_LENGTH,
        frame_count: int = 0,
        pad_value: float = 0.0,
    ):
        if isinstance(signals, Mapping):
            shapes = {str(name): tuple(int(d) for d in shape) for name, shape in signals.items()}
        else:
            if isinstance(signals, str):
                raise ConfigError(f"signals must be a list of names, not one string; got {signals!r}")
            shapes = {str(name): () for name in signals}
        if not isinstance(length, int) or isinstance(length, bool) or length < 1:
            raise ConfigError(f"history length must be a positive integer; got {length!r}")
        if not isinstance(frame_count, int) or isinstance(frame_count, bool) or frame_count < 0:
            raise ConfigError(f"frame_count must be an integer >= 0; got {frame_count!r}")
        self.signal_shapes = shapes
        self.length = length
        self.frame_count = frame_count
        self.pad_value = float(pad_value)
        self._values = {name: collections.deque(maxlen=length) for name in shapes}
        self._frames: collections.deque = collections.deque(maxlen=max(frame_count, 1))
        self.steps_pushed = 0

    @property
    def signals(self) -> tuple[str, ...]:
        return tuple(self.signal_shapes)

    def push(self, values: Mapping[str, object], frame: np.ndarray | None = None) -> None:
        """Record one finished step: the values that were *applied/measured* at it.

        Call it after the step's prediction. Every tracked signal must be present;
        extra keys are ignored.

        Args:
            values: signal name -> value (scalar or array of the declared shape).
            frame: the frame the step was predicted from, kept when ``frame_count > 0``.
        """
        converted = {}
        for name, shape in self.signal_shapes.items():
            if name not in values:
                raise DataError(f"history push is missing signal {name!r}; got keys {sorted(map(str, values))}")
            value = np.asarray(values[name], dtype=np.float32)
            if value.size == 1 and shape == ():
                value = value.reshape(())
            if value.shape != shape:
                raise DataError(f"history signal {name!r} must have shape {shape}; got {value.shape}")
            if not np.all(np.isfinite(value)):
                raise DataError(f"history signal {name!r} must be finite; got {value!r}")
            converted[name] = value.copy()
        for name, value in converted.items():
            self._values[name].append(value)
        if self.frame_count and frame is not None:
            self._frames.append(np.array(frame, copy=True))
        self.steps_pushed += 1

    def history(self) -> dict[str, np.ndarray]:
        """Each signal's past values: ``(length, *shape)`` float32, oldest first.

        Holds only values pushed so far, i.e. steps before the current one;
        padding comes first (see ``valid_mask``).
        """
        result = {}
        for name, shape in self.signal_shapes.items():
            array = np.full((self.length, *shape), self.pad_value, dtype=np.float32)
            past = self._values[name]
            if past:
                array[self.length - len(past) :] = np.stack(past)
            result[name] = array
        return result

    def valid_mask(self) -> np.ndarray:
        """``(length,)`` bools: True where ``history()`` holds a real past value."""
        count = min(self.steps_pushed, self.length)
        mask = np.zeros(self.length, dtype=bool)
        if count:
            mask[-count:] = True
        return mask

    def past_frames(self, fill: np.ndarray | None = None) -> np.ndarray:
        """The last ``frame_count`` frames before the current one, oldest first.

        Args:
            fill: the frame to pad with when no frame was pushed yet (pass the
                current frame: a standstill). Ignored once a frame exists.

        Returns:
            ``(frame_count, H, W, 3)`` uint8.
        """
        if not self.frame_count:
            raise ConfigError("this HistoryKeeper keeps no frames; create it with frame_count > 0")
        frames = list(self._frames)
        if not frames:
            if fill is None:
                raise DataError("no past frame yet; pass fill= (e.g. the current frame) to pad with")
            frames = [np.asarray(fill)]
        padding = [frames[0]] * (self.frame_count - len(frames))
        return np.stack(padding + frames)

    def clear(self) -> None:
        """Forget everything (after a teleport: the old road is no longer the past)."""
        for values in self._values.values():
            values.clear()
        self._frames.clear()
        self.steps_pushed = 0
