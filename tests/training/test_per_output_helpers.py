import attrs
import numpy as np

from charles_core import plugins
from charles_core.collect.buffer_feed import BufferFeed
from charles_core.training.per_output_helpers import PerOutputHelperLoop
from charles_core.training.trainer import Trainer
from charles_core.training.training_config import TrainingConfig


def _line():
    # the 0002 recipe on the small backbone, so the test runs in seconds
    return attrs.evolve(
        plugins.lines.get("model_0002_xception_v1"), backbone="pilotnet", common_layers=(32,), head_layers=(8,)
    )


def test_each_helper_trains_on_its_own_buffer_and_gradients_are_summed(tmp_path, filled_buffers):
    line = _line()
    buffers, refill = filled_buffers(outputs=line.output_names, label_mode="own")
    trainer = Trainer(
        line,
        tmp_path / "run",
        input_size=(64, 64),
        config=TrainingConfig(batch_per_buffer=4, checkpoint_every=100, progress=False),
    )
    feed = BufferFeed(buffers, refill=refill)
    loop = PerOutputHelperLoop(trainer.model, line)
    batch = feed.next_batch(4)
    split = loop.split(batch, list(feed.buffer_names))
    for index, name in enumerate(line.output_names):
        inputs, targets = split[name]
        assert len(targets) == 4  # the same number from every buffer
        own = batch["buffer"] == index
        np.testing.assert_array_equal(inputs["frame"], batch["frames"][own].astype(np.float32))

    trunk_before = trainer.model.get_layer("common_dense_0").get_weights()[0].copy()
    heads_before = {o: trainer.model.get_layer(o).get_weights()[0].copy() for o in line.output_names}
    result = trainer.train(feed, until_batch=3)
    assert trainer.batch == 3 and result["batches"] == 3
    assert {f"{o}_loss" for o in line.output_names} <= set(result["final_losses"])
    assert not np.array_equal(trunk_before, trainer.model.get_layer("common_dense_0").get_weights()[0])
    for name, before in heads_before.items():
        assert not np.array_equal(before, trainer.model.get_layer(name).get_weights()[0])
