"""Every history line builds small, with the counts its widths imply and the layout the docs give."""

import functools
import math

import numpy as np
import pytest

from charles_core import plugins
from charles_core.codec.history_inputs import (
    history_columns,
    history_inputs_from_batch,
    history_inputs_from_keeper,
    history_signal_shapes,
    make_history_keeper,
)
from charles_core.errors import ConfigError
from charles_core.lines.line_config import HistorySpec
from charles_core.models import create_model, get_line
from charles_core.models.parts import count_params, part_of
from tests.history.helpers import SMALL, history_line_params

HISTORY_LINES = [n for n in plugins.lines.names() if plugins.lines.get(n).history is not None]
EXPECTED = {
    "model_0001_xception_v1",
    "model_0001_xception_v2",
    "model_0007_inceptionresnetv2_v1",
    *(f"model_0008_irv2_data_td_v{v}" for v in range(1, 8)),
    *(f"model_0009_irv2_cr_tl_v{v}" for v in range(1, 4)),
    "charles_pilotnet_v2",  # ours: 2 stacked frames + the last 4 speeds
}


def test_every_history_line_is_registered():
    assert set(HISTORY_LINES) == EXPECTED


@functools.cache
def _cnn(backbone, size, channels=3):
    spec = plugins.backbones.get(backbone)
    built = spec.build((*size, channels))
    features = math.prod(built.outputs[0].shape[1:]) if spec.pooling == "flatten" else spec.feature_channels
    return built.count_params(), features


def _size(line):
    return SMALL


@pytest.mark.parametrize("name", HISTORY_LINES)
def test_history_line_builds_small_with_the_counts_of_its_widths(name):
    # On pilotnet for speed; tests/core/test_lines.py builds them on their own backbones (75x75 IRV2).
    line = get_line(name, backbone=None if plugins.lines.get(name).history.alone else "pilotnet")
    model = create_model(line, input_size=_size(line), load_sources=False)
    spec = line.history
    inputs = {t.name: tuple(t.shape[1:]) for t in model.inputs}
    assert inputs["history"] == (spec.steps, len(history_columns(spec)))
    if spec.alone:
        assert set(inputs) == {"history"}  # no frame, no CNN
        cnn = (0, 0)
    else:
        channels = 3 * line.frames if line.frame_mode == "stacked" else 3
        assert inputs["frame"] == (*_size(line), channels)
        cnn = _cnn(line.backbone, _size(line), channels)
    assert ("current_purpose" in inputs) == spec.current_purpose
    trainable, frozen = count_params(model.layers)
    assert trainable + frozen == model.count_params() == history_line_params(line, *cnn)
    aux = {f"aux_{o}" for o in line.output_names} if spec.has_auxiliary_outputs else set()
    assert set(model.output_names) == set(line.output_names) | aux
    for output in line.outputs:
        assert model.get_layer(output.name).output.shape[-1] == output.units
    branch = [layer for layer in model.layers if layer.name.startswith("history_") and layer.weights]
    assert branch and all(part_of(layer.name) == "recurrent" for layer in branch)
    if any(step.freeze for step in line.transfer if step.part == "recurrent"):
        assert all(not layer.trainable for layer in branch)


def test_0008_layouts_follow_the_versions():
    def layers(name):
        model = create_model(name, input_size=(75, 75), load_sources=False, backbone="pilotnet")
        return {layer.name: layer for layer in model.layers}

    v1 = layers("model_0008_irv2_data_td_v1")
    assert [f"history_td_dense_{i}" in v1 for i in range(5)] == [True] * 5 and "history_lstm_0" in v1
    v2 = layers("model_0008_irv2_data_td_v2")
    assert all(f"history_lstm_{i}" in v2 for i in range(5)) and "history_post_dense_0" not in v2
    assert v2["history_lstm_3"].return_sequences and not v2["history_lstm_4"].return_sequences
    v3 = layers("model_0008_irv2_data_td_v3")
    assert all(f"history_post_dense_{i}" in v3 for i in range(3))
    v6 = layers("model_0008_irv2_data_td_v6")
    assert v6["history_lstm_4"].return_state and "frame" not in v6
    v7 = layers("model_0008_irv2_data_td_v7")
    assert v7["history_lstm_4"].return_state and "frame" in v7


def test_state_lines_feed_the_cell_state_not_the_output():
    import keras

    model = create_model("model_0008_irv2_data_td_v6", load_sources=False)
    lstm = model.get_layer("history_lstm_4")
    probe = keras.Model(model.inputs, lstm.output)
    history = np.random.default_rng(0).uniform(-1, 1, (2, 60, 5)).astype("float32")
    last, hidden, cell = probe({"history": history})
    assert np.allclose(last, hidden)  # the output *is* the hidden state; the cell state differs
    dense = model.get_layer("history_post_dense_0")
    assert dense.input is lstm.output[2]


def test_batch_and_keeper_assemble_the_same_input():
    line = plugins.lines.get("model_0008_irv2_data_td_v2")
    keeper = make_history_keeper(line)
    rng = np.random.default_rng(1)
    for _ in range(70):
        keeper.push(
            {
                "throttle": rng.uniform(-1, 1),
                "steering": rng.uniform(-1, 1),
                "speed": rng.uniform(0, 90),
                "purpose": rng.uniform(-1, 1, 2),
            }
        )
    batch = {f"history_{k}": v[None] for k, v in keeper.history().items()}
    from_batch = history_inputs_from_batch(line, batch)["history"]
    from_keeper = history_inputs_from_keeper(line, keeper)["history"]
    np.testing.assert_array_equal(from_batch, from_keeper)
    assert from_batch.shape == (1, 60, 5)
    past = keeper.history()
    np.testing.assert_allclose(from_batch[0, :, 2], past["speed"] * line.history.speed_scale)
    np.testing.assert_array_equal(from_batch[0, :, 3:], past["purpose"])


def test_a_batch_without_a_signal_names_it():
    line = plugins.lines.get("model_0008_irv2_data_td_v2")
    shapes = history_signal_shapes(line)
    batch = {f"history_{s}": np.zeros((2, *shape), np.float32) for s, shape in shapes.items() if s != "speed"}
    with pytest.raises(ConfigError, match="history_speed"):
        history_inputs_from_batch(line, batch)
    batch["history_speed"] = np.zeros((2, 30), np.float32)
    with pytest.raises(ConfigError, match="'speed'.*60"):
        history_inputs_from_batch(line, batch)


def test_0007_needs_the_current_purpose():
    line = plugins.lines.get("model_0007_inceptionresnetv2_v1")
    keeper = make_history_keeper(line)
    with pytest.raises(ConfigError, match="current purpose"):
        history_inputs_from_keeper(line, keeper)
    assert history_inputs_from_keeper(line, keeper, purpose=(0.5, -0.2))["current_purpose"].shape == (1, 2)


def test_three_output_lines_take_pedals_or_throttle():
    line = plugins.lines.get("model_0001_xception_v1")
    keeper = make_history_keeper(line)
    keeper.push({"throttle": -0.4, "steering": 0.1, "speed": 5.0})
    keeper.push({"acceleration": 0.7, "braking": 0.0, "steering": 0.2, "speed": 6.0})
    past = keeper.history()
    assert past["braking"][-2:].tolist() == pytest.approx([0.4, 0.0])
    assert past["acceleration"][-2:].tolist() == pytest.approx([0.0, 0.7])


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(signals=("nope",)), "signals"),
        (dict(signals=()), "signals"),
        (dict(branch="dense", use_state=True), "LSTM"),
        (dict(signals=("purpose",), current_purpose=True), "not both"),
        (dict(auxiliary_loss_weight=0), "auxiliary_loss_weight"),
        (dict(steps=0), "steps"),
        (dict(branch="gru"), "branch"),
    ],
)
def test_bad_history_specs_are_rejected(changes, message):
    with pytest.raises((ValueError, TypeError), match=message):
        HistorySpec(**changes)
