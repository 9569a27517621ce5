"""0008 v4's auxiliary heads: same targets, weight 0.25, gradients that stop at the recurrent branch."""

import numpy as np
import pytest

from charles_core.codec.model_data import loss_weights_for_line, losses_for_line, model_data
from charles_core.models import create_model, get_line
from charles_core.models.parts import part_of
from tests.history.helpers import SMALL, random_history_sample


@pytest.fixture(scope="module")
def v4():
    line = get_line("model_0008_irv2_data_td_v4", backbone="pilotnet")
    return line, create_model(line, input_size=SMALL)


def _batch(line, size=4):
    rng = np.random.default_rng(0)
    samples = [random_history_sample(rng, line, SMALL) for _ in range(size)]
    batch = {
        "frames": np.stack([s.frame for s in samples]),
        "throttle": np.array([s.throttle for s in samples], np.float32),
        "steering": np.array([s.steering for s in samples], np.float32),
        "purpose": np.stack([s.purpose for s in samples]),
    }
    for signal in samples[0].history:
        batch[f"history_{signal}"] = np.stack([s.history[signal] for s in samples])
    return batch


def test_auxiliary_outputs_learn_the_same_targets_at_a_quarter_weight(v4):
    line, _ = v4
    assert losses_for_line(line) == {"throttle": "mse", "steering": "mse", "aux_throttle": "mse", "aux_steering": "mse"}
    assert loss_weights_for_line(line) == {"throttle": 1.0, "steering": 1.0, "aux_throttle": 0.25, "aux_steering": 0.25}
    _, targets, weights = model_data(line, _batch(line))
    np.testing.assert_array_equal(targets["aux_throttle"], targets["throttle"])
    np.testing.assert_array_equal(weights["aux_steering"], weights["steering"])


def _gradients(model, inputs, targets, names):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        outputs = model(inputs, training=True)
        loss = tf.add_n([tf.reduce_mean(tf.square(outputs[n] - targets[n])) for n in names])
    owner = {id(w): layer.name for layer in model.layers for w in layer.trainable_weights}
    variables = model.trainable_variables
    grads = tape.gradient(loss, [v.value for v in variables])
    by_part = {}
    for variable, grad in zip(variables, grads):
        layer = owner[id(variable)]
        size = 0.0 if grad is None else float(np.abs(np.asarray(grad)).sum())  # None: not connected
        by_part.setdefault(part_of(layer), []).append(size)
        by_part.setdefault(layer, []).append(size)
    return by_part


def test_auxiliary_gradients_reach_the_recurrent_branch_only(v4):
    line, model = v4
    inputs, targets, _ = model_data(line, _batch(line))
    aux = _gradients(model, inputs, targets, ["aux_throttle", "aux_steering"])
    assert sum(aux["backbone"]) == 0.0  # never reaches the CNN ...
    assert sum(aux["head"]) == 0.0  # ... nor the main common stack and heads
    assert all(g > 0 for g in aux["history_lstm_0"]) and sum(aux["history_aux_throttle"]) > 0
    main = _gradients(model, inputs, targets, ["throttle", "steering"])
    assert sum(main["backbone"]) > 0 and sum(main["history_lstm_0"]) > 0  # the main losses train both
    assert sum(main["history_aux_dense_0"]) == 0.0
