"""Every registered backbone, tested the moment it registers."""

import keras
import pytest

from charles_core import plugins
from charles_core.errors import ConfigError
from charles_core.models import create_model
from charles_core.models.backbones.frame_preprocessing import FramePreprocessing
from charles_core.models.model_builder import check_input_size

BACKBONES = plugins.backbones.names()


def _side(spec):
    return max(spec.min_input_side, 32)


@pytest.mark.parametrize("name", BACKBONES)
def test_backbone_returns_a_4d_feature_map_with_its_declared_layers(name):
    spec = plugins.backbones.get(name)
    side = _side(spec)
    model = spec.build((side, side, spec.input_channels))
    (output,) = model.outputs
    assert len(output.shape) == 4
    assert output.shape[-1] == spec.feature_channels
    assert min(output.shape[1:3]) >= 1
    model.get_layer(spec.last_conv_layer)  # raises if the declared layer is missing


@pytest.mark.parametrize("name", BACKBONES)
def test_input_below_the_minimum_side_is_a_clear_error(name):
    spec = plugins.backbones.get(name)
    line = plugins.lines.get("model_0003_xception_v1")
    with pytest.raises(ConfigError, match=f"minimum side of {spec.min_input_side}"):
        check_input_size(line, spec, (spec.min_input_side - 1, spec.min_input_side + 10))
    with pytest.raises(ConfigError, match="below the minimum side of"):
        create_model("model_0003_xception_v1", backbone=name, input_size=(spec.min_input_side - 1, 200))


@pytest.mark.parametrize("name", [n for n in BACKBONES if plugins.backbones.get(n).accepts_any_channels])
def test_frame_stacking_changes_only_the_first_convolution(name):
    spec = plugins.backbones.get(name)
    side = _side(spec)
    one = spec.build((side, side, 3))
    three = spec.build((side, side, 9))
    differing = [
        (a.name, [tuple(w.shape) for w in a.weights], [tuple(w.shape) for w in b.weights])
        for a, b in zip(one.layers, three.layers)
        if [tuple(w.shape) for w in a.weights] != [tuple(w.shape) for w in b.weights]
    ]
    assert len(differing) == 1, differing
    _, (kernel, *_), (stacked_kernel, *_) = differing[0]
    assert stacked_kernel[2] == 3 * kernel[2]


@pytest.mark.parametrize("mode", ["tf", "unit", "torch", "caffe", "none"])
def test_preprocessing_has_no_weights_and_handles_stacks(mode):
    import numpy as np

    layer = FramePreprocessing(mode)
    frames = np.random.default_rng(0).integers(0, 256, (2, 4, 4, 6)).astype("float32")
    out = keras.ops.convert_to_numpy(layer(frames))
    assert out.shape == frames.shape and not layer.weights
    # the second stacked frame is preprocessed exactly like the first
    np.testing.assert_allclose(out[..., 3:], keras.ops.convert_to_numpy(layer(frames[..., 3:])), rtol=1e-6)
    if mode == "tf":
        assert out.min() >= -1 and out.max() <= 1
