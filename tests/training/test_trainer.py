import numpy as np
import pytest

from charles_core.collect.buffer_feed import BufferFeed
from charles_core.errors import ConfigError, DataError, StorageError
from charles_core.training.checkpoints import list_checkpoints, parse_checkpoint_name
from charles_core.training.trainer import Trainer
from charles_core.training.training_config import TrainingConfig
from charles_core.training.warmup_schedule import WarmupSchedule

SIZE = (64, 64)
LINE = "model_0003_xception_v1"  # trained on the small backbone: the trainer is the subject here


def _trainer(tmp_path, **config):
    settings = dict(batch_per_buffer=8, checkpoint_every=4, log_every=2, progress=False)
    settings.update(config)
    return Trainer(LINE, tmp_path / "run", input_size=SIZE, backbone="pilotnet", config=TrainingConfig(**settings))


def test_trains_from_the_buffers_with_a_loss_per_output(tmp_path, filled_buffers):
    buffers, refill = filled_buffers()
    trainer = _trainer(tmp_path)
    before = [w.copy() for w in trainer.model.get_weights()]
    result = trainer.train(BufferFeed(buffers, refill=refill), until_batch=10)
    assert trainer.batch == 10 and result["batches"] == 10
    assert {"loss", "throttle_loss", "steering_loss"} <= set(result["final_losses"])
    assert all(np.isfinite(v) for v in result["final_losses"].values())
    assert any(not np.array_equal(a, b) for a, b in zip(before, trainer.model.get_weights()))
    assert refill.calls > 0  # training drew samples, buffers dipped, the refill ran
    batches = [b for b, _ in list_checkpoints(tmp_path / "run" / "checkpoints")]
    assert batches == [4, 8, 10]
    assert list((tmp_path / "run" / "logs").iterdir())  # TensorBoard event files


def test_the_loss_history_keeps_its_limit(tmp_path, filled_buffers):
    buffers, refill = filled_buffers()
    trainer = _trainer(tmp_path, history_limit=4)
    trainer.train(BufferFeed(buffers, refill=refill), until_batch=10)
    assert [entry["batch"] for entry in trainer.history] == [1, 5, 9]  # every 4th batch of 10
    assert all({"loss", "throttle_loss", "steering_loss"} <= set(entry) for entry in trainer.history)


class _FixedBatches:
    """A batch source that hands out the same drawn batches, in order."""

    def __init__(self, batches):
        self.batches = iter(batches)

    def next_batch(self, n_per_buffer):
        return next(self.batches)


def test_each_batch_trains_and_logs_exactly_as_train_on_batch_does(tmp_path, filled_buffers):
    from charles_core.codec.model_data import model_data

    buffers, _ = filled_buffers(capacity=64)
    rng = np.random.default_rng(3)
    batches = [buffers.draw(8, rng) for _ in range(4)]
    trainer, reference = _trainer(tmp_path / "a"), _trainer(tmp_path / "b")
    for ours, theirs in zip(trainer.model.get_weights(), reference.model.get_weights()):
        np.testing.assert_array_equal(ours, theirs)  # the same seed: the same start
    trainer.train(_FixedBatches(batches), until_batch=4)
    expected = [
        reference.model.train_on_batch(
            *model_data(reference.line, batch)[:2], sample_weight=model_data(reference.line, batch)[2], return_dict=True
        )
        for batch in batches
    ]
    for logged, wanted in zip(trainer.history, expected):  # each batch's own losses, not running means
        assert set(logged) == {"batch", *wanted}
        for key, value in wanted.items():
            assert logged[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
    for ours, theirs in zip(trainer.model.get_weights(), reference.model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def test_drawn_samples_are_removed(tmp_path, filled_buffers):
    buffers, _ = filled_buffers(capacity=64)
    trainer = _trainer(tmp_path)
    feed = BufferFeed(buffers, refill=None)
    before = buffers.counts()
    trainer.train(feed, until_batch=1)
    # the dataset reads one batch ahead to learn the input signature, then prefetches
    drawn = {name: before[name] - count for name, count in buffers.counts().items()}
    assert all(value % 8 == 0 and value >= 8 for value in drawn.values())


def test_a_paused_feed_with_nothing_to_refill_is_a_clear_error(tmp_path, filled_buffers):
    buffers, _ = filled_buffers(capacity=16)
    feed = BufferFeed(buffers, refill=None)
    feed.next_batch(8)
    with pytest.raises(DataError, match="nothing refills them"):
        feed.next_batch(8)


def test_resume_continues_the_batch_counter_and_optimizer(tmp_path, filled_buffers):
    buffers, refill = filled_buffers()
    trainer = _trainer(tmp_path)
    trainer.train(BufferFeed(buffers, refill=refill), until_batch=6)
    checkpoint = trainer.last_checkpoint
    assert parse_checkpoint_name(checkpoint) == (LINE, 6)
    resumed = Trainer(
        LINE, tmp_path / "run2", resume=checkpoint, config=TrainingConfig(batch_per_buffer=8, progress=False)
    )
    assert resumed.batch == 6
    moments = [v.numpy() for v in resumed.model.optimizer.variables if "momentum" in v.path]
    assert moments and any(np.abs(m).sum() > 0 for m in moments)  # Adam state came back
    for a, b in zip(trainer.model.get_weights(), resumed.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    resumed.train(BufferFeed(buffers, refill=refill), until_batch=9)
    assert resumed.batch == 9


def test_resume_refuses_another_lines_checkpoint(tmp_path, filled_buffers):
    buffers, refill = filled_buffers()
    trainer = _trainer(tmp_path)
    trainer.train(BufferFeed(buffers, refill=refill), until_batch=1)
    with pytest.raises(ConfigError, match=f"belongs to line {LINE}"):
        Trainer("model_0004_inceptionresnetv2_v3", tmp_path / "x", resume=trainer.last_checkpoint)


def test_resume_from_a_corrupt_checkpoint_is_reported(tmp_path):
    path = tmp_path / "charles_pilotnet_v1-batch00000010.keras"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(StorageError, match="corrupt or unreadable"):
        Trainer("charles_pilotnet_v1", tmp_path / "run", resume=path)


def test_warmup_rises_linearly_then_holds():
    schedule = WarmupSchedule(1e-3, 100)
    assert float(schedule(0)) == pytest.approx(1e-5)
    assert float(schedule(49)) == pytest.approx(5e-4)
    assert float(schedule(99)) == pytest.approx(1e-3)
    assert float(schedule(10_000)) == pytest.approx(1e-3)
    assert float(WarmupSchedule(1e-3, 0)(0)) == pytest.approx(1e-3)


def test_decay_follows_a_half_cosine_after_the_warmup_then_holds():
    schedule = WarmupSchedule(1e-3, 100, decay_batches=1100, final_fraction=0.1)
    assert float(schedule(99)) == pytest.approx(1e-3)  # warmed up, not yet decaying
    assert float(schedule(600)) == pytest.approx(5.5e-4)  # half way: (1 + 0.1) / 2 of the rate
    assert float(schedule(1100)) == pytest.approx(1e-4)
    assert float(schedule(50_000)) == pytest.approx(1e-4)
    assert float(WarmupSchedule(1e-3, 0, decay_batches=1000)(999)) == pytest.approx(1e-3)  # fraction 1: no decay


def test_a_decaying_run_saves_a_schedule_that_loads_with_its_decay(tmp_path):
    from charles_core.training.checkpoints import load_line_checkpoint

    config = TrainingConfig(progress=False, decay_batches=40, final_learning_fraction=0.25)
    trainer = Trainer("charles_pilotnet_v1", tmp_path, input_size=(61, 64), config=config)
    path = trainer.save()
    schedule = load_line_checkpoint(path, compile=True).optimizer._learning_rate
    assert (schedule.decay_batches, schedule.final_fraction) == (40, 0.25)
    with pytest.raises(ConfigError, match="final_learning_fraction"):
        TrainingConfig(final_learning_fraction=0.0)


def test_the_0004_v3_recipe_warms_up_over_1000_batches(tmp_path):
    trainer = Trainer(
        "model_0004_inceptionresnetv2_v3", tmp_path, input_size=(75, 75), config=TrainingConfig(progress=False)
    )
    schedule = trainer.model.optimizer._learning_rate  # the schedule object, not its current value
    assert isinstance(schedule, WarmupSchedule) and schedule.warmup_batches == 1000


def test_time_limit_stops_with_a_checkpoint(tmp_path, filled_buffers):
    buffers, refill = filled_buffers()
    trainer = _trainer(tmp_path, checkpoint_every=1000)
    result = trainer.train(BufferFeed(buffers, refill=refill), until_batch=10_000, time_limit_s=0.0)
    assert 1 <= result["batches"] < 10_000
    assert parse_checkpoint_name(trainer.last_checkpoint)[1] == trainer.batch
