"""Every history line trains a few batches through the Trainer on buffers with history,
and the 0009 transfer chain (0004 + 0008 v5 -> 0009) runs from real checkpoints."""

import attrs
import numpy as np
import pytest

from charles_core import plugins
from charles_core.collect.buffer_feed import BufferFeed
from charles_core.lines.transfer_step import TransferStep
from charles_core.models import create_model, get_line
from charles_core.models.initializers.checkpoint import load_checkpoint_model
from charles_core.models.parts import part_layers
from charles_core.training.trainer import Trainer
from charles_core.training.training_config import TrainingConfig
from tests.history.helpers import SMALL, filled_history_buffers

HISTORY_LINES = [n for n in plugins.lines.names() if plugins.lines.get(n).history is not None]
#: TimeDistributed Dense (v1), cell state and auxiliary outputs (v4, v7): the unusual layers
RELOADED = {"model_0008_irv2_data_td_v1", "model_0008_irv2_data_td_v4", "model_0008_irv2_data_td_v7"}
CONFIG = dict(batch_per_buffer=4, checkpoint_every=1000, log_every=1000, progress=False)


def _small(name):
    """The line on pilotnet (speed); 0009 at random (its chain is tested below)."""
    line = plugins.lines.get(name)
    if line.has_frame_input:
        line = get_line(line, backbone="pilotnet")
    if any(step.needs_source for step in line.transfer):
        line = attrs.evolve(line, transfer=(TransferStep("all", "scratch"),))
    return line


def _train(line, tmp_path, batches, sources=None):
    buffers, refill = filled_history_buffers(line, tmp_path / f"{line.name}_buffers")
    trainer = Trainer(line, tmp_path / line.name, input_size=SMALL, config=TrainingConfig(**CONFIG), sources=sources)
    result = trainer.train(BufferFeed(buffers, refill=refill), until_batch=batches)
    buffers.close()
    return trainer, result


@pytest.mark.parametrize("name", HISTORY_LINES)
def test_history_line_trains_on_buffers_with_history(name, tmp_path):
    line = _small(name)
    trainer, result = _train(line, tmp_path, batches=2)
    assert trainer.batch == 2 and result["batches"] == 2
    losses = result["final_losses"]
    expected = {f"{o}_loss" for o in line.output_names}
    if line.history.has_auxiliary_outputs:
        expected |= {f"aux_{o}_loss" for o in line.output_names}
    assert expected <= set(losses) and all(np.isfinite(v) for v in losses.values())
    if name in RELOADED:  # safe_mode loading: no custom or Lambda layers (v5 reloads in the chain test)
        reloaded = load_checkpoint_model(result["checkpoint"])
        assert {t.name for t in reloaded.inputs} == {t.name for t in trainer.model.inputs}
        assert set(reloaded.output_names) == set(trainer.model.output_names)


def _weights(model, part):
    return {layer.name: layer.get_weights() for layer in part_layers(model, part)}


def _equal(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_0009_starts_from_0004_and_0008_v5_checkpoints(tmp_path):
    line4 = get_line("model_0004_inceptionresnetv2_v3", backbone="pilotnet")
    _, result4 = _train(line4, tmp_path, batches=3)
    _, result8 = _train(get_line("model_0008_irv2_data_td_v5"), tmp_path, batches=3)
    source4 = load_checkpoint_model(result4["checkpoint"])
    source8 = load_checkpoint_model(result8["checkpoint"])
    sources = {"backbone": result4["checkpoint"], "recurrent": result8["checkpoint"]}

    model = create_model("model_0009_irv2_cr_tl_v1", backbone="pilotnet", input_size=SMALL, sources=sources, seed=7)
    recurrent = _weights(model, "recurrent")
    assert set(recurrent) == {*(f"history_lstm_{i}" for i in range(5)), *(f"history_post_dense_{i}" for i in range(3))}
    for name, weights in recurrent.items():
        assert _equal(weights, source8.get_layer(name).get_weights()), name
    for name, weights in _weights(model, "backbone").items():
        assert _equal(weights, source4.get_layer(name).get_weights()), name
    # the rest starts at random: not 0004's head, not 0008 v5's auxiliary heads
    for name in ("throttle", "steering", "head_throttle_dense_2"):
        assert not _equal(model.get_layer(name).get_weights(), source4.get_layer(name).get_weights()), name
    assert all(layer.trainable for layer in model.layers if layer.weights)  # v1: nothing frozen

    frozen = create_model("model_0009_irv2_cr_tl_v3", backbone="pilotnet", input_size=SMALL, sources=sources)
    assert {layer.name for layer in part_layers(frozen, "recurrent")} == {f"history_lstm_{i}" for i in range(5)}
    for part in ("backbone", "recurrent"):
        assert all(not layer.trainable for layer in part_layers(frozen, part))
    assert all(layer.trainable for layer in part_layers(frozen, "head"))
    assert _equal(frozen.get_layer("history_lstm_4").get_weights(), source8.get_layer("history_lstm_4").get_weights())
