import builtins
import sys

import pytest

from charles_core.driving import gamepad_controller
from charles_core.driving.dead_zone import DeadZone
from charles_core.driving.gamepad_config import GamepadConfig
from charles_core.driving.gamepad_controller import GamepadController
from charles_core.errors import DataError, MissingDependencyError


class FakePad:
    """Records what vgamepad's VX360Gamepad would have been told."""

    def __init__(self):
        self.stick = (0.0, 0.0)
        self.right = 0.0
        self.left = 0.0
        self.updates = 0
        self.resets = 0

    def left_joystick_float(self, x_value_float, y_value_float):
        assert -1.0 <= x_value_float <= 1.0 and -1.0 <= y_value_float <= 1.0
        self.stick = (x_value_float, y_value_float)

    def right_trigger_float(self, value_float):
        assert 0.0 <= value_float <= 1.0
        self.right = value_float

    def left_trigger_float(self, value_float):
        assert 0.0 <= value_float <= 1.0
        self.left = value_float

    def update(self):
        self.updates += 1

    def reset(self):
        self.resets += 1
        self.stick, self.right, self.left = (0.0, 0.0), 0.0, 0.0


@pytest.fixture
def pad():
    return FakePad()


def test_positive_throttle_is_gas_on_the_right_trigger(pad):
    controller = GamepadController(pad=pad)
    sent = controller.apply({"steering": 0.0, "throttle": 0.5})
    gas = DeadZone.gta_v_trigger()
    assert pad.right == pytest.approx(gas.to_controller(0.5)) == sent["right_trigger"]
    assert pad.left == 0.0
    assert pad.stick == (0.0, 0.0)
    assert pad.updates == 1


def test_negative_throttle_is_brake_on_the_left_trigger(pad):
    controller = GamepadController(pad=pad)
    controller.apply({"steering": -0.25, "throttle": -1.0})
    assert pad.right == 0.0
    assert pad.left == pytest.approx(1.0)
    assert pad.stick[0] == pytest.approx(DeadZone.gta_v_stick().to_controller(-0.25))
    assert pad.stick[0] < -DeadZone.gta_v_stick().inner


def test_small_steering_clears_the_stick_dead_zone(pad):
    GamepadController(pad=pad).apply({"steering": 0.01, "throttle": 0.0})
    assert pad.stick[0] > 0.24
    assert pad.right == pad.left == 0.0


def test_three_output_lines_use_acceleration_and_braking(pad):
    controller = GamepadController(pad=pad)
    controller.apply({"steering": 0.0, "acceleration": 0.3, "braking": 0.6})
    trigger = DeadZone.gta_v_trigger()
    assert pad.right == pytest.approx(trigger.to_controller(0.3))
    assert pad.left == pytest.approx(trigger.to_controller(0.6))


def test_per_axis_dead_zones_are_used(pad):
    config = GamepadConfig(steering=DeadZone.identity(), gas=DeadZone.identity(), brake=DeadZone.identity())
    GamepadController(config, pad=pad).apply({"steering": 0.3, "throttle": 0.4})
    assert pad.stick[0] == pytest.approx(0.3)
    assert pad.right == pytest.approx(0.4)


def test_neutral_and_close_release_everything(pad):
    controller = GamepadController(pad=pad)
    controller.apply({"steering": 1.0, "throttle": 1.0})
    assert controller.neutral() == {"left_stick_x": 0.0, "right_trigger": 0.0, "left_trigger": 0.0}
    assert pad.stick == (0.0, 0.0) and pad.right == 0.0 and pad.left == 0.0
    controller.close()
    controller.close()
    assert pad.resets == 1
    with pytest.raises(RuntimeError, match="closed"):
        controller.apply({"steering": 0.0, "throttle": 0.0})


@pytest.mark.parametrize(
    "controls, match",
    [
        ({"throttle": 0.1}, "steering"),
        ({"steering": 0.1}, "throttle"),
        ({"steering": 1.5, "throttle": 0.0}, r"\[-1, 1\]"),
        ({"steering": float("nan"), "throttle": 0.0}, "finite"),
        ({"steering": 0.0, "acceleration": -0.2, "braking": 0.0}, r"\[0, 1\]"),
    ],
)
def test_bad_controls_are_named(pad, controls, match):
    with pytest.raises(DataError, match=match):
        GamepadController(pad=pad).apply(controls)


def test_missing_vgamepad_package_gives_install_hint(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "vgamepad":
            raise ModuleNotFoundError("No module named 'vgamepad'", name="vgamepad")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "vgamepad", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(MissingDependencyError, match=r"charles-core\[game\]"):
        GamepadController()


def test_missing_system_library_is_explained(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "vgamepad":
            raise OSError("libevdev.so.2: cannot open shared object file: No such file or directory")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "vgamepad", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.setattr(gamepad_controller.platform, "system", lambda: "Linux")
    with pytest.raises(MissingDependencyError, match="libevdev") as info:
        GamepadController()
    assert "/dev/uinput" in str(info.value)


def test_windows_hint_names_vigembus(monkeypatch):
    monkeypatch.setattr(gamepad_controller.platform, "system", lambda: "Windows")
    assert "ViGEmBus" in gamepad_controller._system_hint()


def test_real_vgamepad_here_fails_clearly_or_works():
    """On this machine: no vgamepad, no libevdev or no /dev/uinput must read as MissingDependencyError."""
    try:
        controller = GamepadController()
    except MissingDependencyError as error:
        message = str(error)
        assert "vgamepad" in message
        assert any(hint in message for hint in ("charles-core[game]", "libevdev", "uinput", "ViGEmBus"))
    else:  # a machine with a working virtual pad: exercise it for real
        controller.apply({"steering": 0.1, "throttle": 0.1})
        controller.close()
