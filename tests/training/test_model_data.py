import attrs
import numpy as np
import pytest

from charles_core import plugins
from charles_core.codec.model_data import decode_predictions, frames_for_line, model_data, nearest_bin
from charles_core.errors import ConfigError
from charles_core.lines.output_spec import DELTA_BINS, OutputSpec


def _batch(n=4, tall=8, width=6):
    rng = np.random.default_rng(0)
    return {
        "frames": rng.integers(0, 256, (n, tall, width, 3), dtype=np.uint8),
        "throttle": np.array([0.5, -0.2, 1.0, 0.0], np.float32)[:n],
        "steering": np.array([-1.0, 0.05, 0.3, 0.0], np.float32)[:n],
        "mask_throttle": np.array([1, 0, 1, 1], np.float32)[:n],
    }


def test_stacked_frames_go_rgbrgb_oldest_first():
    line = plugins.lines.get("model_0006_inceptionresnetv2_v2")  # 3 frames stacked
    frames = np.zeros((1, 3 * 4, 5, 3), np.uint8)
    for k in range(3):
        frames[0, 4 * k : 4 * (k + 1)] = k + 1  # frame k (oldest first) filled with k + 1
    stacked = frames_for_line(line, frames)
    assert stacked.shape == (1, 4, 5, 9)
    assert stacked.dtype == np.uint8  # the model casts; a float copy would only cost time
    assert [stacked[0, 0, 0, 3 * k] for k in range(3)] == [1.0, 2.0, 3.0]


def test_stacked_frames_equal_the_transposed_reference_pixel_for_pixel():
    line = plugins.lines.get("model_0006_inceptionresnetv2_v2")  # 3 frames stacked
    frames = np.random.default_rng(1).integers(0, 256, (2, 3 * 4, 5, 3), dtype=np.uint8)
    reference = frames.reshape(2, 3, 4, 5, 3).transpose(0, 2, 3, 1, 4).reshape(2, 4, 5, 9)
    np.testing.assert_array_equal(frames_for_line(line, frames), reference)


def test_time_distributed_frames_keep_a_time_axis():
    line = plugins.lines.get("model_0006_inceptionresnetv2_v3")
    assert frames_for_line(line, np.zeros((2, 12, 5, 3), np.uint8)).shape == (2, 3, 4, 5, 3)
    with pytest.raises(ConfigError, match="3x-tall"):
        frames_for_line(line, np.zeros((2, 13, 5, 3), np.uint8))


def test_regression_targets_and_masks():
    line = plugins.lines.get("model_0003_xception_v1")
    inputs, targets, weights = model_data(line, _batch())
    assert inputs["frame"].dtype == np.uint8 and inputs["frame"].shape == (4, 8, 6, 3)  # the model casts
    np.testing.assert_allclose(targets["steering"][:, 0], [-1.0, 0.05, 0.3, 0.0], rtol=1e-6)
    np.testing.assert_array_equal(weights["throttle"], [1, 0, 1, 1])
    np.testing.assert_array_equal(weights["steering"], [1, 1, 1, 1])


def test_classification_targets_are_the_nearest_bin():
    bins = (-1.0, -0.5, 0.0, 0.5, 1.0)
    line = attrs.evolve(
        plugins.lines.get("model_0003_xception_v1"),
        outputs=(
            OutputSpec("throttle", kind="classification", bins=bins),
            OutputSpec("steering", kind="classification", bins=bins),
        ),
    )
    _, targets, _ = model_data(line, _batch())
    np.testing.assert_array_equal(targets["steering"], [0, 2, 3, 2])
    assert nearest_bin(np.array([0.26], np.float32), bins)[0] == 3


def test_delta_targets_need_the_current_value():
    line = plugins.lines.get("model_0001_xception_v5")
    batch = _batch()
    with pytest.raises(ConfigError, match="history"):
        model_data(line, batch)
    batch["history_throttle"] = np.array([[0.4], [0.0], [0.95], [0.1]], np.float32)
    batch["history_steering"] = np.array([[-0.7], [0.0], [0.0], [0.0]], np.float32)
    batch["acceleration"], batch["braking"] = np.maximum(batch["throttle"], 0), np.maximum(-batch["throttle"], 0)
    inputs, targets, _ = model_data(line, batch)
    # steering -1.0 from -0.7: change -0.3 -> bin 0; 0.3 from 0.0: +0.3 -> bin 6
    assert targets["steering"][0] == 0 and targets["steering"][2] == 6
    np.testing.assert_allclose(inputs["current_controls"][0], [0.4, 0.0, -0.7])


def test_decoding_keeps_values_in_range():
    line = plugins.lines.get("model_0001_xception_v4")
    probabilities = np.zeros(len(DELTA_BINS), np.float32)
    probabilities[-1] = 1.0  # +0.3
    decoded = decode_predictions(
        line, {o: probabilities for o in line.output_names}, {"acceleration": 0.9, "braking": 0.0, "steering": -0.1}
    )
    assert decoded["acceleration"] == 1.0  # 0.9 + 0.3 clipped
    assert decoded["steering"] == pytest.approx(0.2)
