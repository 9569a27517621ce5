"""A virtual Xbox 360 pad (vgamepad) driven by model predictions.

Mapping (the game's default vehicle controls):

- ``steering`` in [-1, 1] -> left stick X (negative = left);
- ``throttle`` in [-1, 1] -> right trigger for its positive part (gas) and
  left trigger for its negative part (brake);
- 3-output lines: ``acceleration`` in [0, 1] -> right trigger and
  ``braking`` in [0, 1] -> left trigger, used when ``throttle`` is absent.

Each axis goes through its ``DeadZone`` so that any non-zero prediction
clears the game's dead zone.

vgamepad needs the ViGEmBus driver on Windows (its installer offers it) and,
on Linux, the libevdev shared library (``apt-get install libevdev2``) plus
write access to ``/dev/uinput`` (``modprobe uinput``, then run as root or add
a udev rule). ``GamepadController()`` raises ``MissingDependencyError`` naming
whichever is missing.

Example:

```text
from charles_core.driving.gamepad_controller import GamepadController
pad = GamepadController()
pad.apply({"steering": -0.3, "throttle": 0.8})
# {'left_stick_x': -0.475, 'right_trigger': 0.826, 'left_trigger': 0.0}
pad.neutral()
pad.close()
```
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Mapping
from typing import Any

from charles_core.driving.gamepad_config import GamepadConfig
from charles_core.errors import DataError, MissingDependencyError

INSTALL_HINT = "pip install 'charles-core[game]'"

LEFT_STICK_X = "left_stick_x"
RIGHT_TRIGGER = "right_trigger"
LEFT_TRIGGER = "left_trigger"

# Model outputs went through float32; 1.0000001 is rounding, not a bug.
RANGE_TOLERANCE = 1e-6


def _system_hint() -> str:
    if platform.system() == "Windows":
        return (
            "On Windows vgamepad needs the ViGEmBus driver: reinstall vgamepad and accept its "
            "ViGEmBus installer, or install it from https://github.com/nefarius/ViGEmBus/releases."
        )
    return (
        "On Linux vgamepad needs the libevdev shared library (apt-get install libevdev2) and "
        "write access to /dev/uinput (modprobe uinput; run as root or add a udev rule "
        'KERNEL=="uinput", MODE="0660", GROUP="input" and join the input group).'
    )


def create_vx360_pad() -> Any:
    """Create a vgamepad ``VX360Gamepad`` or raise a MissingDependencyError that says why not."""
    try:
        import vgamepad
    except ImportError as error:
        if getattr(error, "name", None) == "vgamepad":
            raise MissingDependencyError(
                f"the gamepad controller needs the vgamepad package ({error}). "
                f"Install it with: {INSTALL_HINT}. {_system_hint()}"
            ) from error
        raise MissingDependencyError(
            f"vgamepad is installed but could not be imported ({error}). {_system_hint()}"
        ) from error
    except OSError as error:
        # vgamepad loads libevdev (Linux) or ViGEmClient.dll (Windows) at import time.
        raise MissingDependencyError(
            f"vgamepad is installed but its system library could not be loaded ({error}). {_system_hint()}"
        ) from error
    except AssertionError as error:  # vgamepad asserts a supported OS
        raise MissingDependencyError(
            f"vgamepad does not support {platform.system()}: it needs Windows or Linux ({error})."
        ) from error
    try:
        return vgamepad.VX360Gamepad()
    except OSError as error:
        if platform.system() != "Windows" and not os.path.exists("/dev/uinput"):
            reason = "/dev/uinput does not exist (load the uinput kernel module: modprobe uinput)"
        elif platform.system() != "Windows" and not os.access("/dev/uinput", os.W_OK):
            reason = "/dev/uinput is not writable by this user"
        else:
            reason = str(error)
        raise MissingDependencyError(
            f"vgamepad could not create a virtual Xbox 360 pad: {reason}. {_system_hint()}"
        ) from error
    except Exception as error:  # ViGEm reports a missing bus driver with its own exception types
        raise MissingDependencyError(
            f"vgamepad could not create a virtual Xbox 360 pad ({type(error).__name__}: {error}). {_system_hint()}"
        ) from error


def _read(controls: Mapping, name: str, low: float, high: float) -> float:
    try:
        value = float(controls[name])
    except (TypeError, ValueError):
        raise DataError(f"control {name!r} must be one number; got {controls[name]!r}") from None
    if not math.isfinite(value):
        raise DataError(f"control {name!r} must be finite; got {value!r}")
    if value < low - RANGE_TOLERANCE or value > high + RANGE_TOLERANCE:
        raise DataError(f"control {name!r} must lie in [{low:g}, {high:g}]; got {value!r}")
    return min(max(value, low), high)


class GamepadController:
    """Applies Charles's controls to a virtual Xbox 360 pad.

    Args:
        config: dead-zone translation per axis (GTA V defaults).
        pad: the pad object to drive; by default a new vgamepad ``VX360Gamepad``.
            Tests pass a fake with ``left_joystick_float``, ``right_trigger_float``,
            ``left_trigger_float``, ``update`` and ``reset``.

    Raises:
        MissingDependencyError: vgamepad, ViGEmBus, libevdev or /dev/uinput is
            missing; the message says which and how to fix it.

    Example:

    ```text
    controller = GamepadController(pad=my_fake_pad)
    controller.apply({"steering": 0.0, "throttle": -1.0})  # full brake
    ```
    """

    def __init__(self, config: GamepadConfig | None = None, *, pad: Any = None):
        self.config = config if config is not None else GamepadConfig()
        self._pad = pad if pad is not None else create_vx360_pad()
        self._closed = False
        self.last_values: dict[str, float] = {LEFT_STICK_X: 0.0, RIGHT_TRIGGER: 0.0, LEFT_TRIGGER: 0.0}

    def translate(self, controls: Mapping) -> dict[str, float]:
        """Controller values for ``controls`` without touching the pad.

        Args:
            controls: ``{"steering", "throttle"}`` or ``{"steering", "acceleration", "braking"}``.

        Returns:
            ``{"left_stick_x": x, "right_trigger": r, "left_trigger": l}``, x in
            [-1, 1], triggers in [0, 1].
        """
        if not isinstance(controls, Mapping) or "steering" not in controls:
            raise DataError(
                "controls must be a mapping with 'steering' and 'throttle' (or 'acceleration' "
                f"and 'braking'); got {controls!r}"
            )
        steering = _read(controls, "steering", -1.0, 1.0)
        if "throttle" in controls:
            throttle = _read(controls, "throttle", -1.0, 1.0)
            gas, brake = max(throttle, 0.0), max(-throttle, 0.0)
        elif "acceleration" in controls and "braking" in controls:
            gas = _read(controls, "acceleration", 0.0, 1.0)
            brake = _read(controls, "braking", 0.0, 1.0)
        else:
            raise DataError(
                f"controls need 'throttle' or both 'acceleration' and 'braking'; got keys {sorted(controls)}"
            )
        return {
            LEFT_STICK_X: self.config.steering.to_controller(steering),
            RIGHT_TRIGGER: self.config.gas.to_controller(gas),
            LEFT_TRIGGER: self.config.brake.to_controller(brake),
        }

    def apply(self, controls: Mapping) -> dict[str, float]:
        """Translate ``controls``, send them to the pad and return the values sent."""
        self._check_open()
        values = self.translate(controls)
        self._send(values)
        return values

    def neutral(self) -> dict[str, float]:
        """Centre the stick and release both triggers (the car coasts)."""
        self._check_open()
        values = {LEFT_STICK_X: 0.0, RIGHT_TRIGGER: 0.0, LEFT_TRIGGER: 0.0}
        self._send(values)
        return values

    def close(self) -> None:
        """Release every control and let the pad go. Safe to call twice."""
        if self._closed:
            return
        try:
            self._pad.reset()
            self._pad.update()
        finally:
            self._closed = True
            self._pad = None

    def _send(self, values: Mapping[str, float]) -> None:
        self._pad.left_joystick_float(x_value_float=values[LEFT_STICK_X], y_value_float=0.0)
        self._pad.right_trigger_float(value_float=values[RIGHT_TRIGGER])
        self._pad.left_trigger_float(value_float=values[LEFT_TRIGGER])
        self._pad.update()
        self.last_values = dict(values)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this GamepadController is closed; create a new one")

    def __enter__(self) -> GamepadController:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
