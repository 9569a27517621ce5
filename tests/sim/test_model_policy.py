"""ModelPolicy: a trained line driving the simulator directly, history lines included."""

import numpy as np
import pytest

from charles_core.collect.model_policy import ModelPolicy
from charles_core.driving.drive import drive_simulator
from charles_core.models import create_model
from charles_core.sim.evaluate import evaluate


def test_a_speed_history_line_drives_exactly_like_the_player_loop():
    # The player keeps its own history; the policy must build the same inputs.
    model = create_model("charles_pilotnet_v2", input_size=(61, 64), seed=3, load_sources=False)
    through_player = drive_simulator(model, (4,), rate_hz=0, max_steps=80, runtime="keras", status=lambda s: None)
    policy = ModelPolicy(model, (61, 64))
    direct = evaluate(policy, (4,), max_steps=80, action_repeat=2, reset_policy=policy.reset)
    assert through_player["per_seed"][4] == pytest.approx(direct["per_seed"][4], abs=1e-6)


class _RecordingPredictor:
    def __init__(self):
        self.histories = []

    def predict(self, inputs):
        self.histories.append(np.array(inputs["history"]))
        return {"throttle": np.array([0.5]), "steering": np.array([0.0])}


class _Session:
    def __init__(self):
        self.speed = 0.0

    def read(self):
        return np.zeros((96, 96, 3), np.uint8)

    def purpose(self):
        return (10.0, 0.0)


def test_the_history_holds_past_speeds_only_and_clears_on_reset():
    model = create_model("charles_pilotnet_v2", input_size=(61, 64), seed=3, load_sources=False)
    predictor = _RecordingPredictor()
    policy = ModelPolicy(model, (61, 64), predictor=predictor)
    session = _Session()
    for speed in (10.0, 20.0, 30.0):
        session.speed = speed
        policy(session)
    scale = model.charles_line.history.speed_scale
    # the third prediction sees the two speeds before it, never its own
    np.testing.assert_allclose(predictor.histories[2][-2:, 0], np.array([10.0, 20.0]) * scale)
    assert not np.any(np.isclose(predictor.histories[2], 30.0 * scale))
    policy.reset()
    policy(session)
    assert not predictor.histories[3].any()


class _ConstantPredictor:
    def predict(self, inputs):
        return {"throttle": np.array([0.8]), "steering": np.array([0.1])}


def test_a_speed_cap_coasts_above_it_and_leaves_the_model_alone_below():
    model = create_model("charles_pilotnet_v2", input_size=(61, 64), seed=3, load_sources=False)
    policy = ModelPolicy(model, (61, 64), predictor=_ConstantPredictor(), max_speed=40.0)
    session = _Session()
    session.speed = 30.0
    assert policy(session)["throttle"] == pytest.approx(0.8)
    session.speed = 50.0
    controls = policy(session)
    assert controls["throttle"] == 0.0 and controls["steering"] == pytest.approx(0.1)


def test_a_speed_cap_that_is_not_positive_is_a_config_error():
    from charles_core.errors import ConfigError

    model = create_model("charles_pilotnet_v2", input_size=(61, 64), seed=3, load_sources=False)
    with pytest.raises(ConfigError, match="max_speed must be positive"):
        ModelPolicy(model, (61, 64), max_speed=0)


class _LeftBrightnessPredictor:
    """Steers by how much brighter the frame's left half is than its right: a mirror negates it."""

    def predict(self, inputs):
        frame = np.asarray(inputs["frame"], np.float32)
        half = frame.shape[1] // 2
        lean = (frame[:, :half].mean() - frame[:, half:].mean()) / 255.0
        return {"throttle": np.array([0.4 + lean]), "steering": np.array([lean])}


class _LopsidedSession(_Session):
    def read(self):
        frame = np.zeros((96, 96, 3), np.uint8)
        frame[:, :30] = 200  # bright on the left only
        return frame


def test_mirror_averaging_cancels_what_the_mirror_negates_and_keeps_the_rest():
    model = create_model("charles_pilotnet_v2", input_size=(61, 64), seed=3, load_sources=False)
    plain = ModelPolicy(model, (61, 64), predictor=_LeftBrightnessPredictor())
    averaged = ModelPolicy(model, (61, 64), predictor=_LeftBrightnessPredictor(), mirror_average=True)
    one, both = plain(_LopsidedSession()), averaged(_LopsidedSession())
    assert one["steering"] > 0.1  # the predictor leans left on this frame
    # steering: (lean - (-lean)) / 2 = lean; throttle: (0.4 + lean + 0.4 - lean) / 2 = 0.4
    assert both["steering"] == pytest.approx(one["steering"], abs=1e-6)
    assert both["throttle"] == pytest.approx(0.4, abs=1e-6)


def test_mirror_averaging_is_refused_for_a_line_that_sees_past_steering():
    import attrs

    from charles_core.errors import ConfigError
    from charles_core.models import get_line

    line = get_line("charles_pilotnet_v2")
    steering_seen = attrs.evolve(line, history=attrs.evolve(line.history, signals=("speed", "steering")))
    model = create_model(steering_seen, input_size=(61, 64), seed=3, load_sources=False)
    with pytest.raises(ConfigError, match="mirror_average.*steering"):
        ModelPolicy(model, (61, 64), mirror_average=True)
