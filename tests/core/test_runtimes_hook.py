"""Runtimes arrive through the plugin hook: a plugin's runtime is listed, timed by auto and selectable."""

import numpy as np
import pytest

from charles_core import hookimpl, plugins
from charles_core.errors import ConfigError
from charles_core.models import create_model
from charles_core.runtimes.line_predictor import LinePredictor, available_runtimes, make_runtime_predictor
from charles_core.runtimes.runtime_spec import RuntimeSpec


class _EchoPredictor:
    """A runtime that returns fixed outputs: proves the factory of a plugin is what runs."""

    def __init__(self, model):
        self.model = model

    def predict(self, inputs):
        return {"throttle": np.array([0.25], np.float32), "steering": np.array([-0.5], np.float32)}

    def load_weights(self, path):
        raise AssertionError("not called here")


class _EchoPlugin:
    @hookimpl
    def charles_register_runtimes(self, register):
        register(RuntimeSpec("echo", _EchoPredictor, description="test runtime"))
        register(RuntimeSpec("missing", _EchoPredictor, available=lambda: False))


@pytest.fixture
def echo_plugin():
    plugins.register_plugin(_EchoPlugin(), name="echo-runtime")
    yield
    plugins.unregister_plugin("echo-runtime")


def test_builtin_runtimes_register_through_the_hook():
    assert {"keras", "frozen", "tflite", "openvino"} <= set(plugins.runtimes.names())
    assert plugins.runtimes.plugin_of("tflite") == "charles_core.runtimes.plugin"


def test_a_plugin_runtime_is_selectable_and_unavailable_ones_are_not_timed(echo_plugin):
    assert "echo" in available_runtimes() and "missing" not in available_runtimes()
    model = create_model("charles_pilotnet_v1", input_size=(61, 64), load_sources=False)
    predictor = LinePredictor(model, runtime="echo")
    assert isinstance(predictor.compiled, _EchoPredictor)
    outputs = predictor.predict({"frame": np.zeros((1, 61, 64, 6), np.float32)})
    assert float(outputs["steering"][0]) == -0.5 and float(outputs["throttle"][0]) == 0.25


def test_unknown_runtime_names_the_registered_ones():
    with pytest.raises(ConfigError, match="tflite"):
        make_runtime_predictor(object(), "onnx")
