"""The live system's parts without Ray processes: settings, the token, the weights board, the weight swap."""

import os
import stat
import threading
import time

import numpy as np
import pytest

from charles_core.errors import CharlesError, ConfigError, DataError
from charles_core.live.live_config import LiveConfig
from charles_core.live.live_timeout_error import LiveTimeoutError
from charles_core.live.player_worker import swap_weights
from charles_core.live.weights_board import WeightsBoard


def test_a_live_run_must_end_and_must_have_work():
    with pytest.raises(ConfigError, match="minutes or batches"):
        LiveConfig(minutes=None, batches=None)
    with pytest.raises(ConfigError, match="nothing to train on"):
        LiveConfig(collectors=0, players=0)
    with pytest.raises(ConfigError, match="custom Ray resource"):
        LiveConfig(collector_resource="CPU")
    with pytest.raises(ConfigError, match="training tracks"):
        LiveConfig(player_seeds=(100_000,))  # players drive evaluation tracks only
    with pytest.raises(ConfigError, match="input_size"):
        LiveConfig(input_size=(4, 96))


def test_timeout_names_what_it_waited_for():
    error = LiveTimeoutError("the trainer's status", 12.4, "is its node up?")
    assert isinstance(error, CharlesError)
    assert str(error) == "timed out after 12 s waiting for the trainer's status; is its node up?"
    assert "\n" not in str(error)


@pytest.fixture
def token_env(tmp_path, monkeypatch):
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(tmp_path / "ray" / "auth_token"))
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    monkeypatch.delenv("RAY_AUTH_TOKEN", raising=False)
    return tmp_path / "ray" / "auth_token"


def test_token_is_created_owner_only_and_auth_mode_is_token(token_env):
    from charles_core.live.ray_support import ensure_token

    assert ensure_token(create=True) == token_env
    assert stat.S_IMODE(token_env.stat().st_mode) == 0o600
    assert len(token_env.read_text()) == 64
    assert os.environ["RAY_AUTH_MODE"] == "token"
    before = token_env.read_text()
    ensure_token(create=True)
    assert token_env.read_text() == before  # an existing token is kept


def test_a_readable_token_is_tightened(token_env):
    from charles_core.live.ray_support import ensure_token

    token_env.parent.mkdir()
    token_env.write_text("x" * 64)
    os.chmod(token_env, 0o644)
    ensure_token(create=False)
    assert stat.S_IMODE(token_env.stat().st_mode) == 0o600


def test_joining_needs_the_heads_token_and_auth_cannot_be_turned_off(token_env, monkeypatch):
    from charles_core.live.ray_support import ensure_token

    with pytest.raises(ConfigError, match="no Ray token at .*ray get-auth-token"):
        ensure_token(create=False)
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    with pytest.raises(ConfigError, match="RAY_AUTH_MODE=disabled"):
        ensure_token(create=True)


def test_board_versions_and_long_poll():
    board = WeightsBoard()
    assert board.latest() is None
    assert board.wait_newer(None, 0, 0.05) is None  # nothing published: a bounded wait returns None
    assert board.publish(10, ["ref-a"], time.time()) == 1
    first = board.wait_newer(None, 0, 1.0)
    assert (first["version"], first["batch"], first["refs"]) == (1, 10, ["ref-a"])
    assert board.wait_newer(first["epoch"], 1, 0.05) is None
    threading.Timer(0.1, board.publish, (20, ["ref-b"], time.time())).start()
    started = time.monotonic()
    second = board.wait_newer(first["epoch"], 1, 5.0)
    assert second["version"] == 2 and time.monotonic() - started < 2.0  # woken by the publish, not the timeout


class _Model:
    def __init__(self):
        self.weights = [np.zeros((3, 2), np.float32), np.zeros(2, np.float32)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.asarray(w) for w in weights]


def test_a_weight_set_that_does_not_fit_leaves_the_model_as_it_was():
    model = _Model()
    swap_weights(model, [np.ones((3, 2)), np.ones(2)])
    assert model.weights[0].sum() == 6
    with pytest.raises(DataError, match="shape"):
        swap_weights(model, [np.full((3, 2), 7.0), np.ones(3)])
    with pytest.raises(DataError, match="holds 1 arrays, the model 2"):
        swap_weights(model, [np.ones((3, 2))])
    assert model.weights[0].sum() == 6  # untouched: no half-swapped model


def test_collectors_rest_only_while_training_goes_on_with_nearly_full_buffers(tmp_path):
    from charles_core.data.buffer_set import BufferSet
    from charles_core.live.live_trainer import collectors_may_rest
    from tests.data.data_samples import SHAPE, sample_for

    buffers = BufferSet(tmp_path / "buf", ("throttle", "steering"), SHAPE[:2], capacity=20)
    rng = np.random.default_rng(0)

    def add(count):
        for i in range(count):
            for name in ("throttle", "steering"):
                buffers.add(name, sample_for(i))

    add(19)  # 95% before the first batch: training waits for full buffers, so collectors go on
    assert not collectors_may_rest(buffers, 0.95)
    add(1)
    assert collectors_may_rest(buffers, 0.95) and collectors_may_rest(buffers, 1.0)
    buffers.draw(1, rng)  # 95%, training goes on
    assert collectors_may_rest(buffers, 0.95) and not collectors_may_rest(buffers, 1.0)
    buffers.draw(1, rng)  # 90%: below the rest level, still training
    assert not collectors_may_rest(buffers, 0.95)


def test_the_live_trainer_averages_the_weights_when_asked(tmp_path):
    """``LiveConfig.weight_average`` reaches the trainer's optimizer: its checkpoints and pushes hold the average."""
    from charles_core.live.live_trainer import LiveTrainer
    from charles_core.models import get_line
    from tests.live.conftest import tiny_config

    for momentum in (None, 0.9):
        config = tiny_config(weight_average=momentum)
        trainer = LiveTrainer(config, tmp_path / f"run-{momentum}", get_line(config.line), board=None)
        try:
            optimizer = trainer.trainer.model.optimizer
            assert optimizer.use_ema is (momentum is not None)
            if momentum is not None:
                assert optimizer.ema_momentum == pytest.approx(momentum)
        finally:
            trainer.stopping.set()
            with trainer.data_ready:
                trainer.data_ready.notify_all()
            trainer._thread.join(30)
            trainer.buffers.close()
        assert not trainer._thread.is_alive()
