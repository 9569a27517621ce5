"""Every kcv backbone: registered, offline, builds into a line, declares what it builds."""

import tomllib
from importlib import import_module
from pathlib import Path

import numpy as np
import pytest

import charles_keras_cv
from charles_core import plugins
from charles_core.errors import ConfigError
from charles_core.models import create_model
from charles_core.models.initializers.checkpoint import load_checkpoint_model
from charles_core.models.parts import backbone_models

NAMES = sorted(charles_keras_cv.KCV_BACKBONES)
LINE = "model_0003_xception_v1"


def _size(spec):
    """A small, non-square, odd-sided input just above the minimum side."""
    return spec.min_input_side + 1, spec.min_input_side + 17


@pytest.fixture
def offline(monkeypatch):
    """Fail loudly if anything reaches for a keras-cv preset (a model-hub download)."""
    from keras_cv.src.models.backbones.backbone import Backbone

    def refuse(*args, **kwargs):
        raise AssertionError("a kcv backbone asked keras-cv for a preset")

    monkeypatch.setattr(Backbone, "from_preset", classmethod(refuse))


def test_the_entry_point_names_a_module_with_the_backbone_hook():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    entry_points = pyproject["project"]["entry-points"]["charles_core"]
    assert entry_points, "no charles_core entry point"
    for target in entry_points.values():
        assert callable(import_module(target).charles_register_backbones)


def test_every_kcv_backbone_is_registered_under_the_prefix():
    registered = [name for name in plugins.backbones.names() if name.startswith("kcv_")]
    assert sorted(registered) == NAMES
    assert {plugins.backbones.plugin_of(name) for name in NAMES} == {"kcv"}


@pytest.mark.parametrize("name", NAMES)
def test_builds_into_a_line_with_a_4d_map_and_its_declared_layers(name, offline):
    spec = plugins.backbones.get(name)
    height, width = _size(spec)
    model = create_model(LINE, backbone=name, input_size=(height, width))
    (backbone,) = backbone_models(model)
    assert backbone.input.shape[1:] == (height, width, spec.input_channels)
    (feature_map,) = backbone.outputs
    assert len(feature_map.shape) == 4
    assert feature_map.shape[-1] == spec.feature_channels
    assert backbone.get_layer(spec.last_conv_layer).output.shape[-1] == spec.feature_channels
    frames = np.random.default_rng(0).uniform(0, 255, (2, height, width, 3)).astype("float32")
    predictions = model.predict({"frame": frames}, verbose=0)
    assert set(predictions) == {"throttle", "steering"}
    assert all(np.isfinite(p).all() and p.shape == (2, 1) for p in predictions.values())


@pytest.mark.parametrize("name", NAMES)
def test_below_the_minimum_side_is_a_clear_error(name):
    spec = plugins.backbones.get(name)
    with pytest.raises(ConfigError, match=f"minimum side of {spec.min_input_side} pixels of backbone '{name}'"):
        create_model(LINE, backbone=name, input_size=(spec.min_input_side - 1, 200))


@pytest.mark.parametrize("name", NAMES)
def test_frame_stacking_widens_only_the_first_convolution(name):
    spec = plugins.backbones.get(name)
    assert spec.accepts_any_channels
    side = spec.min_input_side
    single, stacked = spec.build((side, side, 3)), spec.build((side, side, 9))
    shapes = lambda layer: [tuple(w.shape) for w in layer.weights]  # noqa: E731
    differing = [(a, b) for a, b in zip(single.layers, stacked.layers) if shapes(a) != shapes(b)]
    assert len(differing) == 1
    first, widened = differing[0]
    assert shapes(widened)[0][2] == 3 * shapes(first)[0][2]


@pytest.mark.parametrize("name", NAMES)
def test_a_saved_line_loads_back_safely_with_the_same_predictions(name, tmp_path):
    spec = plugins.backbones.get(name)
    height, width = _size(spec)
    model = create_model(LINE, backbone=name, input_size=(height, width))
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = load_checkpoint_model(path)  # safe_mode=True, as the trainer and player load
    frames = np.random.default_rng(1).uniform(0, 255, (1, height, width, 3)).astype("float32")
    expected = model.predict({"frame": frames}, verbose=0)
    got = loaded.predict({"frame": frames}, verbose=0)
    for output in expected:
        np.testing.assert_allclose(got[output], expected[output], rtol=1e-5, atol=1e-5)
