import pytest

from charles_core import plugins
from charles_core.driving import plugin as driving_plugin
from charles_core.driving.gamepad_controller import GamepadController
from charles_core.registry import ComponentSpec


class FakePad:
    right = 0.0

    def left_joystick_float(self, x_value_float, y_value_float):
        pass

    def right_trigger_float(self, value_float):
        self.right = value_float

    def left_trigger_float(self, value_float):
        pass

    def update(self):
        pass


@pytest.fixture
def registered():
    if plugins.get_plugin_manager().get_plugin("charles_core.driving.plugin") is None:
        plugins.register_plugin(driving_plugin, name="charles_core.driving.plugin")
    yield


def test_screen_and_gamepad_are_registered(registered):
    screen = plugins.frame_sources.get("screen")
    gamepad = plugins.controllers.get("gamepad")
    assert isinstance(screen, ComponentSpec) and isinstance(gamepad, ComponentSpec)
    assert plugins.frame_sources.plugin_of("screen") == "charles_core.driving.plugin"


def test_gamepad_factory_builds_a_controller(registered):
    pad = FakePad()
    controller = plugins.controllers.get("gamepad").factory(pad=pad)
    assert isinstance(controller, GamepadController)
    controller.apply({"steering": 0.0, "throttle": 1.0})
    assert pad.right == pytest.approx(1.0)
