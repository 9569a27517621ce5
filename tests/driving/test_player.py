import threading
import time

import numpy as np
import pytest

from charles_core.codec.history_keeper import HistoryKeeper
from charles_core.driving.checkpoint_watcher import CheckpointWatcher
from charles_core.driving.player import Player
from charles_core.driving.player_config import PlayerConfig
from charles_core.driving.player_status import PlayerStatus
from charles_core.driving.unstuck import UnstuckDetector
from charles_core.errors import ConfigError, DataError

LINE = "model_0004_inceptionresnetv2_v3"


class CountingSource:
    """Frames whose first pixel holds a capture counter; optional read latency."""

    def __init__(self, delay_s=0.0):
        self.delay_s = delay_s
        self.count = 0

    def read(self):
        if self.delay_s:
            time.sleep(self.delay_s)
        self.count += 1
        frame = np.zeros((4, 6, 3), np.uint8)
        frame[0, 0, 0] = self.count % 256
        return frame


class FakePredictor:
    """Throttle = a unique value per prediction; records what it was shown."""

    def __init__(self, delay_s=0.0):
        self.delay_s = delay_s
        self.calls = 0
        self.loaded = []
        self.seen_inputs = []

    def predict(self, inputs):
        if self.delay_s:
            time.sleep(self.delay_s)
        self.calls += 1
        self.seen_inputs.append(inputs)
        return {"throttle": np.array([[0.001 * self.calls]], np.float32), "steering": np.array([-0.5], np.float32)}

    def load_weights(self, path):
        self.loaded.append((self.calls, str(path)))


class FakeController:
    def __init__(self):
        self.applied = []
        self.neutrals = 0

    def apply(self, controls):
        self.applied.append(dict(controls))
        return {"left_stick_x": controls["steering"], "right_trigger": max(controls["throttle"], 0.0)}

    def neutral(self):
        self.neutrals += 1


def frame_only(frame, history):
    return {"frame": frame[None]}


def quiet(status):
    pass


def make_player(source=None, predictor=None, controller=None, preprocess=frame_only, **kwargs):
    kwargs.setdefault("on_status", quiet)
    kwargs.setdefault("config", PlayerConfig(rate_hz=0))
    return Player(
        source or CountingSource(), predictor or FakePredictor(), controller or FakeController(), preprocess, **kwargs
    )


def test_runs_max_steps_and_applies_every_prediction():
    predictor, controller = FakePredictor(), FakeController()
    stats = make_player(predictor=predictor, controller=controller).run(max_steps=20)
    assert stats.steps == stats.predictions == predictor.calls == 20
    assert stats.stop_reason == "max_steps"
    assert len(controller.applied) == 20
    assert controller.applied[4] == {"throttle": pytest.approx(0.005), "steering": -0.5}
    assert controller.neutrals >= 1  # released at the end
    assert stats.frames >= 20


def test_rate_is_limited_to_the_target():
    stats = make_player(config=PlayerConfig(rate_hz=30.0)).run(max_seconds=1.0)
    # never above 30 Hz (one tick of slack for the first step); a loaded 2-core box may run slower
    assert stats.steps <= 30 * stats.elapsed_s + 2
    assert 15.0 <= stats.pps <= 32.0
    assert stats.stop_reason == "max_seconds"


def test_pps_is_measured_from_the_predictions():
    stats = make_player(predictor=FakePredictor(delay_s=0.02)).run(max_steps=25)
    assert stats.pps == pytest.approx(stats.steps / stats.elapsed_s)
    assert stats.pps <= 1.0 / 0.02 + 1  # each prediction takes 20 ms
    assert stats.mean_predict_ms >= 19.0


def test_capture_overlaps_inference():
    # 25 ms capture and 25 ms inference: in sequence 20 steps/s, pipelined close to 40
    source, predictor = CountingSource(delay_s=0.025), FakePredictor(delay_s=0.025)
    stats = make_player(source=source, predictor=predictor).run(max_steps=30)
    assert stats.pps > 25.0


def test_history_seen_by_the_model_is_strictly_past():
    keeper = HistoryKeeper(signals=("throttle", "steering"), length=5)

    def preprocess(frame, history):
        return {"frame": frame[None], **{k: v[None] for k, v in history.history().items()}}

    predictor = FakePredictor()
    make_player(predictor=predictor, preprocess=preprocess, history=keeper).run(max_steps=12)
    for step, inputs in enumerate(predictor.seen_inputs, start=1):
        predicted_now = 0.001 * step
        past = inputs["throttle"][0]
        assert not np.any(np.isclose(past, predicted_now, atol=1e-7))
        expected = [0.001 * s for s in range(max(1, step - 5), step)]
        np.testing.assert_allclose(past[len(past) - len(expected) :], expected, atol=1e-7)


def test_swap_happens_at_unstuck(tmp_path):
    (tmp_path / f"{LINE}-batch500.weights.h5").write_bytes(b"w")
    moves = []
    predictor = FakePredictor()
    statuses = []
    player = make_player(
        predictor=predictor,
        telemetry=lambda: {"position": (0.0, 0.0)},  # a car that never moves
        unstuck=UnstuckDetector(check_interval_s=0.05, min_distance=1.0),
        on_stuck=lambda: moves.append(predictor.calls),
        checkpoints=CheckpointWatcher(tmp_path, line_id=LINE, settle_s=0),
        config=PlayerConfig(rate_hz=200.0, status_hz=1000.0),
        on_status=statuses.append,
    )
    stats = player.run(max_seconds=0.5)
    assert stats.unstucks >= 2 and len(moves) == stats.unstucks
    assert stats.swaps == 1  # one new checkpoint: taken at the first unstuck, not again
    assert predictor.loaded[0] == (moves[0], str(tmp_path / f"{LINE}-batch500.weights.h5"))
    assert stats.weights == f"{LINE} @ batch 500"
    assert isinstance(statuses[-1], PlayerStatus)
    assert (statuses[-1].line_id, statuses[-1].batch) == (LINE, 500)
    assert "FPS" in statuses[-1].format()


def test_swap_on_request_without_stopping(tmp_path):
    predictor = FakePredictor()
    watcher = CheckpointWatcher(tmp_path, settle_s=0)
    player = make_player(predictor=predictor, checkpoints=watcher, config=PlayerConfig(rate_hz=100.0))

    def trainer():
        while predictor.calls < 5:
            time.sleep(0.005)
        (tmp_path / f"{LINE}-batch1000.keras").write_bytes(b"w")
        player.request_swap()
        while predictor.calls < 15:
            time.sleep(0.005)
        player.request_swap(tmp_path / "hand-picked.weights.h5")

    thread = threading.Thread(target=trainer)
    thread.start()
    stats = player.run(max_steps=30)
    thread.join()
    assert stats.swaps == 2 and stats.steps == 30
    (first_at, first), (second_at, second) = predictor.loaded
    assert first.endswith(f"{LINE}-batch1000.keras") and 5 <= first_at < 15
    assert second.endswith("hand-picked.weights.h5") and second_at >= 15
    assert player.weights_name is None  # an unparseable name: line and batch unknown


def test_initial_weights_are_loaded_and_not_offered_again(tmp_path):
    path = tmp_path / f"{LINE}-batch7.weights.h5"
    path.write_bytes(b"w")
    predictor = FakePredictor()
    watcher = CheckpointWatcher(tmp_path, settle_s=0)
    player = make_player(predictor=predictor, checkpoints=watcher, weights=path)
    assert predictor.loaded == [(0, str(path))]
    player.request_swap()
    stats = player.run(max_steps=3)
    assert stats.swaps == 0 and len(predictor.loaded) == 1
    assert stats.weights == f"{LINE} @ batch 7"


def test_stop_event_and_stop():
    event = threading.Event()
    player = make_player(config=PlayerConfig(rate_hz=100.0))
    threading.Timer(0.1, event.set).start()
    assert player.run(stop_event=event).stop_reason == "stop_event"
    threading.Timer(0.1, player.stop).start()
    assert player.run(max_seconds=30).stop_reason == "stop_requested"


def test_thread_control_mode_applies_controls():
    controller = FakeController()
    stats = make_player(controller=controller, config=PlayerConfig(rate_hz=100.0, control_mode="thread")).run(
        max_steps=10
    )
    assert stats.steps == 10
    assert 1 <= len(controller.applied) <= 10  # stale controls may be dropped, never queued
    assert controller.applied[-1]["steering"] == -0.5


def test_source_errors_reach_the_caller():
    class BrokenSource:
        def read(self):
            raise OSError("display went away")

    with pytest.raises(OSError, match="display went away"):
        make_player(source=BrokenSource()).run(max_steps=5)


def test_no_frames_stops_the_run():
    class SlowSource:
        def read(self):
            time.sleep(0.5)
            return np.zeros((2, 2, 3), np.uint8)

    stats = make_player(source=SlowSource(), config=PlayerConfig(rate_hz=0, frame_timeout_s=0.05)).run(max_steps=5)
    assert stats.stop_reason == "no_frames" and stats.steps == 0


def test_predictions_are_clipped_and_checked():
    class WildPredictor(FakePredictor):
        def predict(self, inputs):
            return {"throttle": np.array([1.3]), "steering": np.array([-1.0000001])}

    controller = FakeController()
    make_player(predictor=WildPredictor(), controller=controller).run(max_steps=1)
    assert controller.applied[0] == {"throttle": 1.0, "steering": -1.0}

    class BatchPredictor(FakePredictor):
        def predict(self, inputs):
            return {"throttle": np.zeros((2, 1)), "steering": np.zeros((1,))}

    with pytest.raises(DataError, match="one value"):
        make_player(predictor=BatchPredictor()).run(max_steps=1)


def test_wiring_errors_are_named():
    with pytest.raises(ConfigError, match="load_weights"):
        Player(CountingSource(), object(), FakeController(), frame_only)
    with pytest.raises(ConfigError, match="on_stuck"):
        make_player(unstuck=UnstuckDetector())
    with pytest.raises(ConfigError, match="CheckpointWatcher"):
        make_player().request_swap()
    with pytest.raises(ConfigError):
        PlayerConfig(control_mode="async")
