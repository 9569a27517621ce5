"""Output names, their value ranges, and the throttle -> pedals split.

Lines 0003 on predict ``"throttle"`` (acceleration and braking combined into
one value in [-1, 1], positive gas, negative brake, like the game itself) and
``"steering"``. Lines 0001/0002 predict three outputs: ``"acceleration"`` and
``"braking"`` in [0, 1] plus ``"steering"``. Samples store throttle only;
the pedals are derived by :func:`split_throttle`, the single place that
defines the mapping.

Example:

```python
from charles_core.common.signals import split_throttle
split_throttle(-0.4)  # (0.0, 0.4)
```
"""

from __future__ import annotations

import numpy as np

from charles_core.errors import DataError

#: output name -> (low, high), both inclusive
OUTPUT_RANGES: dict[str, tuple[float, float]] = {
    "throttle": (-1.0, 1.0),
    "steering": (-1.0, 1.0),
    "acceleration": (0.0, 1.0),
    "braking": (0.0, 1.0),
}

#: names a history mapping may hold (see ``charles_core.lines.line_config.HistorySpec``)
HISTORY_SIGNALS = ("throttle", "acceleration", "braking", "steering", "speed", "purpose")

TWO_OUTPUTS = ("throttle", "steering")
THREE_OUTPUTS = ("acceleration", "braking", "steering")


def split_throttle(throttle):
    """Split combined throttle into ``(acceleration, braking)``.

    ``acceleration = max(throttle, 0)`` and ``braking = max(-throttle, 0)``:
    at most one pedal is pressed, as the game's combined axis implies. Works
    on floats and on numpy arrays (element-wise).

    Args:
        throttle: a value or array in [-1, 1].

    Returns:
        ``(acceleration, braking)``, both in [0, 1].

    Example:
        >>> split_throttle(0.25)
        (0.25, 0.0)
    """
    if isinstance(throttle, np.ndarray):
        return np.maximum(throttle, 0).astype(throttle.dtype), np.maximum(-throttle, 0).astype(throttle.dtype)
    throttle = float(throttle)
    return max(throttle, 0.0), max(-throttle, 0.0)


def combine_pedals(acceleration, braking):
    """The game's combined axis from the two pedals: ``throttle = acceleration - braking``.

    The one place pedals become a throttle (:func:`split_throttle` is the other way).
    Works on floats and numpy arrays.

    Example:
        >>> combine_pedals(0.75, 0.25)
        0.5
    """
    if isinstance(acceleration, np.ndarray) or isinstance(braking, np.ndarray):
        return np.asarray(acceleration) - np.asarray(braking)
    return float(acceleration) - float(braking)


def check_output_names(outputs, what: str = "outputs") -> tuple[str, ...]:
    """Return ``outputs`` as a tuple of known, distinct output names or raise DataError."""
    if isinstance(outputs, str):
        outputs = (outputs,)
    outputs = tuple(outputs)
    if not outputs:
        raise DataError(f"{what} must name at least one output; known: {', '.join(OUTPUT_RANGES)}")
    for name in outputs:
        if name not in OUTPUT_RANGES:
            raise DataError(f"unknown output {name!r} in {what}; known: {', '.join(OUTPUT_RANGES)}")
    if len(set(outputs)) != len(outputs):
        raise DataError(f"{what} name an output twice: {outputs}")
    return outputs
