"""The leak test: a sample's label never appears in its own history (collector and player alike).

Every step gets unique values (labels, executed controls, speed, purpose), so
where each value lands in a history tells exactly which step it came from.
"""

import numpy as np
import pytest

from charles_core import plugins
from charles_core.collect.collector import Collector, CollectorConfig
from charles_core.driving.drive import make_history, make_preprocess
from charles_core.driving.player import Player
from charles_core.driving.player_config import PlayerConfig

STEPS = 75  # more than the 60-step history, so the window slides


class CountingSession:
    """A fake simulator whose speed and purpose are unique per step."""

    def __init__(self):
        self.step_index = 0
        self.applied = []

    def reset(self, seed=None):
        self.step_index = 0

    def read(self):
        return np.full((16, 16, 3), self.step_index % 256, np.uint8)

    @property
    def speed(self):
        return 10.0 + self.step_index

    def purpose(self):
        return np.array([0.001 * (self.step_index + 1), -0.002 * (self.step_index + 1)], np.float32)

    def apply(self, controls):
        self.applied.append(dict(controls))
        self.step_index += 1
        return 0.0, False

    @property
    def done(self):
        return False

    def close(self):
        pass


class UniqueDriver:
    """Chooses a throttle and a steering no other step chooses."""

    def act(self, session):
        t = session.step_index
        return {"throttle": 0.5 + 0.001 * (t + 1), "steering": -0.25 - 0.002 * (t + 1)}


class SampleRecorder:
    """Buffers stand-in: keeps every sample the collector stores."""

    outputs = ("throttle",)

    def __init__(self):
        self.samples = []

    def add(self, name, sample):
        self.samples.append(sample)
        return 1


def _collect(line_id, perturb_probability=0.0):
    line = plugins.lines.get(line_id)
    session, recorder = CountingSession(), SampleRecorder()
    collector = Collector(
        session,
        UniqueDriver(),
        line,
        (16, 16),
        None,
        recorder,
        CollectorConfig(seeds=(0,), perturb_probability=perturb_probability, perturb_steps=3),
    )
    for _ in range(STEPS):
        collector.step()
    return line, session, recorder.samples


@pytest.mark.parametrize("perturb", [0.0, 0.5])
def test_collector_history_holds_only_earlier_steps(perturb):
    line, session, samples = _collect("model_0008_irv2_data_td_v2", perturb)
    assert len(samples) == STEPS
    steps = line.history.steps
    for t, sample in enumerate(samples):
        history = sample.history
        # the label of step t never appears in step t's history
        assert sample.throttle not in history["throttle"] and sample.steering not in history["steering"]
        assert sample.speed not in history["speed"]
        # it holds exactly the executed values of steps t-60 .. t-1, oldest first, padding before
        first = max(0, t - steps)
        real = t - first
        executed = session.applied[first:t]
        np.testing.assert_allclose(history["throttle"][steps - real :], [c["throttle"] for c in executed])
        np.testing.assert_allclose(history["steering"][steps - real :], [c["steering"] for c in executed])
        np.testing.assert_allclose(history["speed"][steps - real :], [10.0 + i for i in range(first, t)])
        assert not history["throttle"][: steps - real].any()
        if t:  # the newest entry is the step just before
            assert history["purpose"][-1].tolist() == pytest.approx(samples[t - 1].purpose.tolist())
    if perturb:  # perturbed steps execute another steering than their label; history has the executed one
        differs = [t for t in range(STEPS - 1) if session.applied[t]["steering"] != samples[t].steering]
        assert differs
        for t in differs:
            assert samples[t + 1].history["steering"][-1] == pytest.approx(session.applied[t]["steering"])
            assert samples[t].steering not in samples[t + 1].history["steering"][-1:]


def test_collector_history_of_three_output_lines_holds_past_pedals():
    line, session, samples = _collect("model_0001_xception_v1")
    for t, sample in enumerate(samples[1:], start=1):
        acceleration, braking = sample.history["acceleration"], sample.history["braking"]
        assert acceleration[-1] == pytest.approx(session.applied[t - 1]["throttle"]) and braking[-1] == 0.0
        assert max(sample.throttle, 0.0) not in acceleration


class FrameSource:
    """A player frame source producing a new frame on request (step-synchronised)."""

    def __init__(self, session):
        self.session = session

    def read(self):
        return self.session.read()

    def close(self):
        pass


class RecordingPredictor:
    """Returns unique predictions and keeps the inputs of each one."""

    def __init__(self):
        self.inputs = []

    def predict(self, inputs):
        t = len(self.inputs)
        self.inputs.append({k: np.array(v) for k, v in inputs.items()})
        return {"throttle": np.array([0.3 + 0.001 * (t + 1)]), "steering": np.array([0.1 + 0.002 * (t + 1)])}

    def load_weights(self, path):
        raise AssertionError("no weight swaps in this test")


class SessionController:
    def __init__(self, session):
        self.session = session

    def apply(self, controls):
        self.session.apply(controls)
        return dict(controls)


def test_player_history_input_holds_only_earlier_predictions():
    line = plugins.lines.get("model_0008_irv2_data_td_v5")  # recurrent-only: no frame input
    session = CountingSession()
    predictor = RecordingPredictor()
    player = Player(
        FrameSource(session),
        predictor,
        SessionController(session),
        make_preprocess(line, None),
        config=PlayerConfig(rate_hz=0, control_mode="inline"),
        history=make_history(line),
        telemetry=lambda: {"speed": session.speed, "purpose": session.purpose()},
    )
    player.run(max_steps=STEPS)
    assert len(predictor.inputs) == STEPS
    scale = line.history.speed_scale
    for t, inputs in enumerate(predictor.inputs):
        assert set(inputs) == {"history"}
        history = inputs["history"][0]  # columns: throttle, steering, speed, purpose distance, direction
        own = 0.3 + 0.001 * (t + 1)
        assert not np.isclose(history[:, 0], own).any()
        past = [0.3 + 0.001 * (i + 1) for i in range(max(0, t - 60), t)]
        np.testing.assert_allclose(history[60 - len(past) :, 0], past, rtol=1e-6)
        if t:
            assert history[-1, 2] == pytest.approx((10.0 + t - 1) * scale)
