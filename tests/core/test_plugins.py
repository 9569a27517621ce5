import types
from importlib import metadata

import pytest

import charles_core
from charles_core import hookimpl, plugins
from charles_core.errors import RegistryError
from charles_core.models.backbones.pilotnet import build_pilotnet


def _backbone_plugin(name):
    module = types.ModuleType(f"fake_plugin_{name}")

    @hookimpl
    def charles_register_backbones(register):
        register(
            charles_core.BackboneSpec(
                name=name, build=build_pilotnet, min_input_side=61, feature_channels=64, last_conv_layer="conv5"
            )
        )

    module.charles_register_backbones = charles_register_backbones
    return module


def test_builtins_register_through_the_hooks():
    assert {"xception", "inception_resnet_v2", "pilotnet"} <= set(plugins.backbones.names())
    assert plugins.backbones.plugin_of("xception") == "charles_core.models.backbones.keras_applications"
    assert {"scratch", "imagenet", "checkpoint"} <= set(plugins.initializers.names())
    assert "model_0004_inceptionresnetv2_v3" in plugins.lines


def test_a_name_registered_twice_names_both_plugins():
    plugins.register_plugin(_backbone_plugin("xception"), name="my_plugin")
    with pytest.raises(RegistryError) as error:
        plugins.backbones.names()
    message = str(error.value)
    assert "'xception'" in message and "my_plugin" in message
    assert "charles_core.models.backbones.keras_applications" in message


def test_unknown_names_suggest_close_ones():
    with pytest.raises(RegistryError, match="Did you mean 'xception'"):
        plugins.backbones.get("xceptoin")


def test_runtime_plugin_registration_and_removal():
    plugins.register_plugin(_backbone_plugin("tiny_test"), name="tiny_plugin")
    assert plugins.backbones.plugin_of("tiny_test") == "tiny_plugin"
    plugins.unregister_plugin("tiny_plugin")
    assert "tiny_test" not in plugins.backbones


class _FakeEntryPoint:
    def __init__(self, name, module):
        self.name = name
        self._module = module

    def load(self):
        return self._module


@pytest.mark.parametrize(
    "block, loaded",
    [("", True), ("other", True), ("ext_plugin", False), ("a, ext_plugin", False), ("*", False)],
)
def test_entry_point_plugins_load_unless_blocked(monkeypatch, block, loaded):
    fake = _FakeEntryPoint("ext_plugin", _backbone_plugin("from_entry_point"))
    monkeypatch.setattr(metadata, "entry_points", lambda group: [fake] if group == "charles_core" else [])
    monkeypatch.setenv(plugins.BLOCK_ENV_VAR, block)
    plugins.reset()
    assert ("from_entry_point" in plugins.backbones) is loaded
    if loaded:
        assert plugins.backbones.plugin_of("from_entry_point") == "ext_plugin"


def test_a_spec_without_a_name_is_rejected():
    module = types.ModuleType("nameless")

    @hookimpl
    def charles_register_lines(register):
        register(object())

    module.charles_register_lines = charles_register_lines
    plugins.register_plugin(module, name="nameless")
    with pytest.raises(RegistryError, match="nameless"):
        plugins.lines.names()
