"""One captured moment: a frame and the controls applied at that instant.

Example:

```python
import numpy as np
from charles_core.data.sample import Sample, label

s = Sample(frame=np.zeros((270, 480, 3), np.uint8), throttle=-0.5, steering=0.1,
           speed=12.0, purpose=(30.0, 0.25))
label(s, "braking")  # 0.5
```
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import attrs
import numpy as np

from charles_core.common.frames import check_frame
from charles_core.common.signals import HISTORY_SIGNALS, OUTPUT_RANGES, split_throttle
from charles_core.errors import DataError


def _finite_float(name: str, value, low: float | None = None, high: float | None = None) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"Sample.{name} must be a number; got {value!r}") from None
    if not math.isfinite(number):
        raise DataError(f"Sample.{name} must be finite; got {number!r}")
    if low is not None and number < low:
        raise DataError(f"Sample.{name} must be >= {low}; got {number!r}")
    if high is not None and number > high:
        raise DataError(f"Sample.{name} must be <= {high}; got {number!r}")
    return number


def _float32_array(name: str, value) -> np.ndarray:
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise DataError(f"Sample.{name} must be a numeric array; got {value!r} ({error})") from None
    if array.dtype.kind not in "fiu":
        raise DataError(f"Sample.{name} must be numeric; got dtype {array.dtype} ({value!r})")
    array = array.astype(np.float32)
    if not np.all(np.isfinite(array)):
        bad = array[~np.isfinite(array)].ravel()[0]
        raise DataError(f"Sample.{name} must be finite; got {bad!r} in {array!r}")
    return array


@attrs.frozen(eq=False, repr=False)
class Sample:
    """A frame with its labels, validated at construction.

    Args:
        frame: RGB ``uint8`` array of shape ``(height, width, 3)``.
        throttle: combined acceleration (positive) and braking (negative), in [-1, 1].
        steering: in [-1, 1], negative left.
        speed: the car's speed, >= 0 (unit of the source; m/s in the simulator).
        purpose: ``(distance, direction)`` to the target point, 2 finite floats.
        history: optional mapping signal name -> float32 array of strictly past
            values, oldest first (shape ``(steps,)``, or ``(steps, 2)`` for
            ``"purpose"``); names from ``HISTORY_SIGNALS``.
        timestamp: optional capture time in seconds.

    Raises:
        DataError: naming the field and the value, for wrong shapes or dtypes,
            NaN/inf, or labels out of range.

    Example:
        >>> Sample(np.zeros((12, 16, 3), np.uint8), throttle=0.3, steering=0.0).speed
        0.0
    """

    frame: np.ndarray
    throttle: float
    steering: float
    speed: float = 0.0
    purpose: np.ndarray = attrs.field(factory=lambda: np.zeros(2, np.float32))
    history: Mapping[str, np.ndarray] | None = None
    timestamp: float | None = None

    def __repr__(self) -> str:  # a full frame would flood logs
        history = sorted(self.history) if self.history else None
        return (
            f"Sample(frame={self.frame.shape}, throttle={self.throttle:.4g}, steering={self.steering:.4g}, "
            f"speed={self.speed:.4g}, purpose={self.purpose.tolist()}, history={history}, timestamp={self.timestamp})"
        )

    def __attrs_post_init__(self):
        set_ = object.__setattr__  # frozen class: normalise once, here
        set_(self, "frame", check_frame(self.frame, name="Sample.frame"))
        low, high = OUTPUT_RANGES["throttle"]
        set_(self, "throttle", _finite_float("throttle", self.throttle, low, high))
        low, high = OUTPUT_RANGES["steering"]
        set_(self, "steering", _finite_float("steering", self.steering, low, high))
        set_(self, "speed", _finite_float("speed", self.speed, 0.0))
        purpose = _float32_array("purpose", self.purpose)
        if purpose.shape != (2,):
            raise DataError(f"Sample.purpose must hold 2 values (distance, direction); got shape {purpose.shape}")
        set_(self, "purpose", purpose)
        if self.timestamp is not None:
            set_(self, "timestamp", _finite_float("timestamp", self.timestamp))
        if self.history is not None:
            set_(self, "history", _check_history(self.history))


def _check_history(history) -> Mapping[str, np.ndarray]:
    if not isinstance(history, Mapping):
        raise DataError(f"Sample.history must be a mapping name -> array; got {type(history).__name__}")
    checked = {}
    for name, values in history.items():
        if name not in HISTORY_SIGNALS:
            raise DataError(f"Sample.history has unknown signal {name!r}; known: {', '.join(HISTORY_SIGNALS)}")
        array = _float32_array(f"history[{name!r}]", values)
        want_ndim = 2 if name == "purpose" else 1
        if array.ndim != want_ndim or (name == "purpose" and array.shape[1] != 2) or array.shape[0] == 0:
            expected = "(steps, 2)" if name == "purpose" else "(steps,)"
            raise DataError(f"Sample.history[{name!r}] must have shape {expected}; got {array.shape}")
        if name in OUTPUT_RANGES:
            low, high = OUTPUT_RANGES[name]
            if array.min() < low or array.max() > high:
                bad = array[(array < low) | (array > high)][0]
                raise DataError(f"Sample.history[{name!r}] values must lie in [{low}, {high}]; got {bad!r}")
        if name == "speed" and array.min() < 0:
            raise DataError(f"Sample.history['speed'] must be >= 0; got {array.min()!r}")
        array.setflags(write=False)
        checked[name] = array
    return MappingProxyType(checked)


def label(sample: Sample, output_name: str) -> float:
    """The value of output ``output_name`` for ``sample``.

    ``"acceleration"`` and ``"braking"`` come from the throttle through
    :func:`charles_core.common.signals.split_throttle`.

    Args:
        sample: the sample.
        output_name: ``"throttle"``, ``"steering"``, ``"acceleration"`` or ``"braking"``.

    Example:
        >>> label(Sample(np.zeros((4, 4, 3), np.uint8), throttle=0.5, steering=0), "acceleration")
        0.5
    """
    if output_name == "throttle":
        return sample.throttle
    if output_name == "steering":
        return sample.steering
    if output_name == "acceleration":
        return split_throttle(sample.throttle)[0]
    if output_name == "braking":
        return split_throttle(sample.throttle)[1]
    raise DataError(f"unknown output {output_name!r}; known: {', '.join(OUTPUT_RANGES)}")
