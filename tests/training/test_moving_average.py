import numpy as np
import pytest

from charles_core.collect.buffer_feed import BufferFeed
from charles_core.errors import ConfigError
from charles_core.training.checkpoints import load_line_checkpoint
from charles_core.training.moving_average import keeps_moving_average, moving_average_weights
from charles_core.training.trainer import Trainer
from charles_core.training.training_config import TrainingConfig

SIZE = (64, 64)
LINE = "model_0003_xception_v1"


def _trainer(path, **config):
    settings = dict(batch_per_buffer=8, checkpoint_every=3, log_every=2, progress=False)
    settings.update(config)
    return Trainer(LINE, path, input_size=SIZE, backbone="pilotnet", config=TrainingConfig(**settings))


def test_checkpoints_hold_the_average_and_training_goes_on_from_the_raw_weights(tmp_path, filled_buffers):
    buffers, refill = filled_buffers()
    trainer = _trainer(tmp_path / "run", weight_average=0.5)
    trainer.train(BufferFeed(buffers, refill=refill), until_batch=5)
    assert keeps_moving_average(trainer.model)
    raw = [v.numpy() for v in trainer.model.trainable_variables]
    averages = [v.numpy() for v in trainer.model.optimizer._model_variables_moving_average]
    assert any(not np.allclose(a, b) for a, b in zip(raw, averages))  # the two differ after 5 steps
    saved = load_line_checkpoint(trainer.last_checkpoint)
    for held, average in zip(saved.trainable_variables, averages):
        np.testing.assert_array_equal(held.numpy(), average)
    for variable, before in zip(trainer.model.trainable_variables, raw):  # saving swapped them back
        np.testing.assert_array_equal(variable.numpy(), before)
    with moving_average_weights(trainer.model) as model:
        for variable, average in zip(model.trainable_variables, averages):
            np.testing.assert_array_equal(variable.numpy(), average)


def test_the_average_follows_its_momentum(tmp_path, filled_buffers):
    buffers, refill = filled_buffers()
    trainer = _trainer(tmp_path / "run", weight_average=0.5, checkpoint_every=100)
    feed = BufferFeed(buffers, refill=refill)
    trainer.train(feed, until_batch=1)
    previous = [v.numpy() for v in trainer.model.optimizer._model_variables_moving_average]
    trainer.train(feed, until_batch=2)
    raw = [v.numpy() for v in trainer.model.trainable_variables]
    for average, old, new in zip(trainer.model.optimizer._model_variables_moving_average, previous, raw):
        np.testing.assert_allclose(average.numpy(), 0.5 * old + 0.5 * new, rtol=1e-5, atol=1e-7)


def test_without_an_average_checkpoints_hold_the_raw_weights(tmp_path, filled_buffers):
    buffers, refill = filled_buffers()
    trainer = _trainer(tmp_path / "run")
    trainer.train(BufferFeed(buffers, refill=refill), until_batch=2)
    assert not keeps_moving_average(trainer.model)
    saved = load_line_checkpoint(trainer.last_checkpoint)
    for held, variable in zip(saved.trainable_variables, trainer.model.trainable_variables):
        np.testing.assert_array_equal(held.numpy(), variable.numpy())


def test_a_resumed_run_keeps_averaging(tmp_path, filled_buffers):
    buffers, refill = filled_buffers()
    trainer = _trainer(tmp_path / "run", weight_average=0.9)
    trainer.train(BufferFeed(buffers, refill=refill), until_batch=3)
    resumed = Trainer(
        LINE,
        tmp_path / "run2",
        resume=trainer.last_checkpoint,
        config=TrainingConfig(batch_per_buffer=8, progress=False),
    )
    assert resumed.model.optimizer.use_ema and resumed.model.optimizer.ema_momentum == pytest.approx(0.9)
    resumed.train(BufferFeed(buffers, refill=refill), until_batch=4)
    assert keeps_moving_average(resumed.model) and resumed.batch == 4


@pytest.mark.parametrize("momentum", [0, 1, 1.5, -0.1, float("nan")])
def test_a_momentum_outside_zero_to_one_is_refused(momentum):
    with pytest.raises(ConfigError, match="weight_average must be a number in \\(0, 1\\)"):
        TrainingConfig(weight_average=momentum)
