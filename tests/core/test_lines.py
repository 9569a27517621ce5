"""Every registered line builds at a small input size with the counts its widths imply."""

import math

import attrs
import pytest

from charles_core import plugins
from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import OutputSpec, two_outputs
from charles_core.models import create_model, get_line
from charles_core.models.parts import count_params
from tests.core.helpers import head_params
from tests.history.helpers import history_line_params

LINES = plugins.lines.names()  # history lines too (their arithmetic: tests/history/helpers.py)


def _small_size(line):
    if not line.has_frame_input:  # recurrent-only lines (0008 v5, v6) take no frame
        return None
    side = max(plugins.backbones.get(line.backbone).min_input_side, 32)
    return (side, side + 8)


def _expected_params(line, input_size):
    if line.history is not None and not line.has_frame_input:
        return history_line_params(line, 0, 0)
    spec = plugins.backbones.get(line.backbone)
    channels = 3 * line.frames if line.frame_mode == "stacked" else 3
    backbone = spec.build((*input_size, channels))
    backbone_count = backbone.count_params()
    feature_map = backbone.outputs[0].shape[1:]
    features = math.prod(feature_map) if spec.pooling == "flatten" else spec.feature_channels
    if line.history is not None:
        return history_line_params(line, backbone_count, features)
    if line.frame_mode == "time_distributed":
        units = line.temporal_units
        lstm = 4 * (units * (features + units) + units)
        return backbone_count + lstm + head_params(units, line)
    if line.current_controls_input:
        features += len(line.outputs)
    if line.backbone_per_output:
        return sum(
            backbone_count + head_params(features, attrs.evolve(line, outputs=(output,))) for output in line.outputs
        )
    return backbone_count + head_params(features, line)


@pytest.mark.parametrize("name", LINES)
def test_line_builds_small_with_the_counts_of_its_widths(name):
    line = plugins.lines.get(name)
    size = _small_size(line)
    model = create_model(name, input_size=size, load_sources=False)
    auxiliary = (
        {f"aux_{o}" for o in line.output_names} if line.history and line.history.has_auxiliary_outputs else set()
    )
    assert set(model.output_names) == set(line.output_names) | auxiliary
    trainable, frozen = count_params(model.layers)
    assert trainable + frozen == model.count_params() == _expected_params(line, size)
    for output in line.outputs:
        assert model.get_layer(output.name).output.shape[-1] == output.units


def test_model_0004_counts_are_the_published_ones_at_native_size():
    model = create_model("model_0004_inceptionresnetv2_v3")
    trainable, frozen = count_params(model.layers)
    assert (trainable + frozen, trainable, frozen) == (56_470_434, 56_409_890, 60_544)


def test_0009_v5_freezes_the_backbone_so_only_the_head_trains():
    model = create_model("model_0009_irv2_cr_tl_v5", input_size=(75, 75), load_sources=False)
    trainable, _ = count_params(model.layers)
    assert trainable == 2_133_698


def test_0009_needs_its_checkpoint_when_loading():
    with pytest.raises(Exception, match="--source backbone=PATH"):
        create_model("model_0009_irv2_cr_tl_v5", input_size=(75, 75))


def test_0006_v3_shares_one_backbone_over_time():
    model = create_model("model_0006_inceptionresnetv2_v3", input_size=(75, 75), load_sources=False)
    assert model.get_layer("frames").output.shape[1:] == (3, 75, 75, 3)
    assert model.get_layer("frames_td") is not None


def test_two_backbone_lines_have_one_backbone_per_output():
    model = create_model("model_0011_x_tcb_v1", input_size=(71, 71), load_sources=False)
    names = {layer.name for layer in model.layers}
    assert {"backbone_throttle", "backbone_steering", "throttle_common_dense_0", "steering_common_dense_0"} <= names


def test_any_line_builds_on_any_backbone_by_name():
    model = create_model("model_0004_inceptionresnetv2_v3", backbone="pilotnet", input_size=(66, 200))
    assert model.charles_line.backbone == "pilotnet"
    assert model.get_layer("backbone").get_layer("conv5") is not None


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(name="no version"), "<line>_v<version>"),
        (dict(frames=3), "frames=1"),
        (dict(frame_mode="stacked"), "frames >= 2"),
        (dict(common_layers=(0,)), "positive integers"),
        (dict(input_size=(0, 10)), "height, width"),
        (dict(balancing="v9"), "balancing"),
    ],
)
def test_bad_line_configs_are_rejected(changes, message):
    base = dict(name="x_v1", line="x", version=1, backbone="pilotnet", outputs=two_outputs())
    with pytest.raises((ValueError, TypeError), match=message):
        LineConfig(**{**base, **changes})


def test_bad_outputs_are_rejected():
    with pytest.raises(ValueError, match="strictly increasing"):
        OutputSpec("steering", kind="classification", bins=(0.5, 0.1))
    with pytest.raises(ValueError, match="no bins"):
        OutputSpec("steering", bins=(0.1, 0.2))


def test_unknown_backbone_override_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown backbone 'nope'"):
        get_line("model_0003_xception_v1", backbone="nope")
