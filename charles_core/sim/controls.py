"""Charles's controls <-> CarRacing's action, in one place.

Charles outputs ``steering`` in [-1, 1] (negative = left) and ``throttle`` in
[-1, 1]: acceleration and braking combined, positive = gas, negative = brake
(lines 0003 on; the game combines them itself). Lines 0001-0002 output
``acceleration`` and ``braking`` separately, each in [0, 1]; those are
accepted too when ``throttle`` is absent.

CarRacing's continuous action is ``[steer, gas, brake]`` with steer in
[-1, 1] (negative = left), gas in [0, 1] and brake in [0, 1] (brake >= 0.9
locks the wheels).

Example:

```python
from charles_core.sim.controls import controls_to_action, action_to_controls
action = controls_to_action({"steering": -0.5, "throttle": 0.8})  # [-0.5, 0.8, 0.0]
action_to_controls(action)  # {"steering": -0.5, "throttle": 0.8}
```
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from charles_core.common.signals import combine_pedals
from charles_core.errors import DataError

STEERING = "steering"
THROTTLE = "throttle"
ACCELERATION = "acceleration"
BRAKING = "braking"

# Model outputs are floats that went through float32; a value like 1.0000001
# is a rounding artefact, not a bug worth stopping the car for.
RANGE_TOLERANCE = 1e-6


def _read_value(controls: Mapping, name: str, low: float, high: float) -> float:
    if name not in controls:
        raise DataError(
            f"controls are missing {name!r}; expected a mapping with 'steering' and "
            f"'throttle' (or 'acceleration' and 'braking'); got keys {sorted(map(str, controls))}"
        )
    raw = controls[name]
    try:
        value = float(np.asarray(raw, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        raise DataError(f"control {name!r} must be one number; got {raw!r}") from None
    if not math.isfinite(value):
        raise DataError(f"control {name!r} must be finite; got {value!r}")
    if value < low - RANGE_TOLERANCE or value > high + RANGE_TOLERANCE:
        raise DataError(
            f"control {name!r} must lie in [{low:g}, {high:g}]; got {value!r}. "
            "Clip model predictions before applying them."
        )
    return min(max(value, low), high)


def validate_controls(controls: Mapping) -> dict[str, float]:
    """Check a controls mapping and return ``{"steering": s, "throttle": t}``.

    Args:
        controls: ``{"steering": s, "throttle": t}`` with both in [-1, 1], or
            ``{"steering": s, "acceleration": a, "braking": b}`` with a, b in
            [0, 1] (then ``throttle = a - b``). Extra keys are ignored.

    Raises:
        DataError: a value is missing, not a number, NaN/inf or out of range;
            the message names the field.
    """
    if not isinstance(controls, Mapping):
        raise DataError(f"controls must be a mapping of output name to value; got {type(controls).__name__}")
    steering = _read_value(controls, STEERING, -1.0, 1.0)
    if THROTTLE not in controls and ACCELERATION in controls and BRAKING in controls:
        acceleration = _read_value(controls, ACCELERATION, 0.0, 1.0)
        braking = _read_value(controls, BRAKING, 0.0, 1.0)
        throttle = combine_pedals(acceleration, braking)
    else:
        throttle = _read_value(controls, THROTTLE, -1.0, 1.0)
    return {STEERING: steering, THROTTLE: throttle}


def controls_to_action(controls: Mapping) -> np.ndarray:
    """Map Charles's controls to CarRacing's ``[steer, gas, brake]`` (float64).

    ``steer = steering``; ``gas = max(throttle, 0)``; ``brake = max(-throttle, 0)``.
    With separate ``acceleration``/``braking`` both go through unchanged
    (gas = acceleration, brake = braking).

    Args:
        controls: see :func:`validate_controls`.

    Raises:
        DataError: bad control values (the message names the field).
    """
    if isinstance(controls, Mapping) and THROTTLE not in controls and ACCELERATION in controls:
        steering = _read_value(controls, STEERING, -1.0, 1.0)
        gas = _read_value(controls, ACCELERATION, 0.0, 1.0)
        brake = _read_value(controls, BRAKING, 0.0, 1.0)
        return np.array([steering, gas, brake], dtype=np.float64)
    checked = validate_controls(controls)
    throttle = checked[THROTTLE]
    return np.array([checked[STEERING], max(throttle, 0.0), max(-throttle, 0.0)], dtype=np.float64)


def action_to_controls(action) -> dict[str, float]:
    """Map CarRacing's ``[steer, gas, brake]`` back to Charles's controls.

    ``throttle = gas - brake``. Exact inverse of :func:`controls_to_action`
    for actions it produces (at most one of gas and brake non-zero); an action
    pressing both at once loses that detail, as a combined axis must.

    Args:
        action: sequence of three numbers ``[steer, gas, brake]``.

    Raises:
        DataError: wrong shape, NaN, or a value out of CarRacing's range.
    """
    array = np.asarray(action, dtype=np.float64)
    if array.shape != (3,):
        raise DataError(f"a CarRacing action is [steer, gas, brake]; got shape {array.shape}")
    steer = _read_value({"steer": array[0]}, "steer", -1.0, 1.0)
    gas = _read_value({"gas": array[1]}, "gas", 0.0, 1.0)
    brake = _read_value({"brake": array[2]}, "brake", 0.0, 1.0)
    return {STEERING: steer, THROTTLE: gas - brake}
