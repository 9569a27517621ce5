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
