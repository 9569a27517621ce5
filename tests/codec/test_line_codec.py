"""One recorded episode through the training path and the driving path gives identical model inputs.

Training path: the recording feeder (frames stacked and history rebuilt by the codec) -> the buffers on
disk -> a drawn batch -> ``LineCodec.inputs_from_batch``. Driving path: the player's ``make_preprocess``
on each raw frame with the player's history keeper, pushed after each step with the applied controls and
telemetry, as the player does.
"""

import numpy as np
import pytest

from charles_core import plugins
from charles_core.codec.line_codec import LineCodec, frame_input_name
from charles_core.collect.data_pipeline import make_balancer, make_buffers
from charles_core.collect.dataset_feeder import DatasetFeeder
from charles_core.data.recorded_dataset import RecordedDataset, RecordedDatasetWriter
from charles_core.data.sample import Sample
from charles_core.driving.drive import make_history, make_preprocess

STEPS = 12
CAMERA = (45, 60)  # recorded frames, resized by both paths
INPUT = (30, 40)


def _recordable(line) -> bool:
    # current controls without a history of them cannot come from a recording (0001 v5: its own tests)
    return not line.current_controls_input or line.history is not None


LINES = [name for name in plugins.lines.names() if _recordable(plugins.lines.get(name))]
# one of each kind is enough to run first; the rest are the same code paths
KINDS = [
    "charles_pilotnet_v1",
    "charles_pilotnet_v2",
    "model_0007_inceptionresnetv2_v1",
    "model_0008_irv2_data_td_v2",
    "model_0006_inceptionresnetv2_v3",
    "model_0003_xception_v1",
]


def _episode(tmp_path):
    rng = np.random.default_rng(7)
    path = tmp_path / "episode"
    steps = []
    with RecordedDatasetWriter(path, frame_shape=CAMERA) as writer:
        for t in range(STEPS):
            sample = Sample(
                frame=rng.integers(0, 256, (*CAMERA, 3), dtype=np.uint8),
                # labels cover every coarse bin, so the feeder's fill check passes
                throttle=(-0.4, 0.8)[t % 2] + float(rng.uniform(-0.05, 0.05)),
                steering=(-0.6, 0.01, 0.7)[t % 3] + float(rng.uniform(-0.02, 0.02)),
                speed=float(rng.uniform(0, 40)),
                purpose=rng.uniform(-1, 1, 2).astype(np.float32),
                timestamp=0.04 * t,
            )
            writer.append(sample)
            steps.append(sample)
    return path, steps


class _KeepAll:
    """The line's balancer, except every sample is kept in order (the comparison needs each step)."""

    def __init__(self, balancer):
        self.inner, self.kept = balancer, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def add(self, sample):
        self.kept.append(sample)

    def take_ready(self):
        ready, self.kept = {name: list(self.kept) for name in self.inner.buffer_names}, []
        return ready


@pytest.mark.parametrize("name", KINDS)
def test_training_and_driving_paths_give_identical_inputs(tmp_path, name):
    line = plugins.lines.get(name)
    path, steps = _episode(tmp_path)
    codec = LineCodec(line, INPUT)

    # training: recording -> feeder -> buffers on disk -> drawn batch -> codec
    balancer = make_balancer(line, bins="coarse")
    buffers = make_buffers(line, tmp_path / "buffers", INPUT, balancer, capacity=STEPS)
    feeder = DatasetFeeder(RecordedDataset(path), line, INPUT, _KeepAll(balancer), buffers)
    for _ in range(STEPS):
        feeder.step()
    batch = buffers.draw(STEPS, rng=np.random.default_rng(0))
    buffers.close()
    rows = np.flatnonzero(batch["buffer"] == 0)  # every buffer holds the whole episode: read one
    order = rows[np.argsort(batch["timestamp"][rows])]
    trained = {key: value[order] for key, value in codec.inputs_from_batch(batch).items()}

    # driving: raw frames -> the player's preprocess and history keeper
    purpose = {"value": None}
    preprocess = make_preprocess(line, INPUT, purpose=lambda: purpose["value"])
    history = make_history(line)
    driven = []
    for sample in steps:
        purpose["value"] = tuple(sample.purpose)
        driven.append(preprocess(sample.frame, history))
        if history is not None:  # what the player pushes after each step: applied controls and telemetry
            history.push(
                {
                    "throttle": sample.throttle,
                    "steering": sample.steering,
                    "speed": sample.speed,
                    "purpose": sample.purpose,
                },
                frame=sample.frame,
            )

    assert set(trained) == set(driven[0]), "the two paths feed different model inputs"
    for t, inputs in enumerate(driven):
        for key, value in inputs.items():
            assert value.shape[0] == 1
            np.testing.assert_array_equal(trained[key][t], value[0], err_msg=f"{name}: input {key!r} at step {t}")
    if line.has_frame_input:
        assert trained[frame_input_name(line)].dtype == np.uint8


@pytest.mark.parametrize("name", LINES)
def test_every_recordable_line_has_one_frame_layout(name):
    line = plugins.lines.get(name)
    codec = LineCodec(line, INPUT)
    stack = codec.new_frame_stack()
    frame = np.zeros((*CAMERA, 3), np.uint8)
    assert stack.push(frame).shape == codec.stored_frame_shape
    if line.has_frame_input:
        inputs = codec.live_inputs(codec.stack_frames([frame]), codec.new_history(), purpose=(0.0, 0.0))
        assert inputs[frame_input_name(line)].shape[0] == 1


def test_a_frame_of_the_wrong_stored_shape_is_named():
    from charles_core.errors import ConfigError

    codec = LineCodec(plugins.lines.get("charles_pilotnet_v1"), INPUT)
    with pytest.raises(ConfigError, match=r"stores frames of shape \(60, 40, 3\)"):
        codec.live_inputs(np.zeros((30, 40, 3), np.uint8))


def test_outputs_decode_to_controls_within_range():
    codec = LineCodec(plugins.lines.get("charles_pilotnet_v1"), INPUT)
    assert codec.controls({"throttle": [[1.7]], "steering": [[-0.25]]}) == {"throttle": 1.0, "steering": -0.25}
