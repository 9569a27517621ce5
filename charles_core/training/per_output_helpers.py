"""The model_0002 training loop: one helper model per output, gradients summed.

Each helper shares the trunk (backbone and common stack) with the main model
and carries one output's head. A batch holds the same number of samples from
every output's buffer (Balancing_v2: each sample carries only its buffer's
label); helper *k* runs its forward pass on buffer *k*'s samples only, the
helpers' gradients are summed and applied to the main model once. A step so
sees three times the samples of a single-buffer batch. Inference uses the
main model, all outputs at once.
"""

from __future__ import annotations

import numpy as np

from charles_core.codec.line_codec import LineCodec
from charles_core.codec.model_data import losses_for_line
from charles_core.errors import ConfigError


class PerOutputHelperLoop:
    """Trains ``model`` of ``line`` with one helper per output.

    Args:
        model: the compiled main model (its optimizer is used).
        line: the line config.
    """

    def __init__(self, model, line):
        import keras
        import tensorflow as tf

        self.model, self.line = model, line
        self.helpers = {
            output.name: keras.Model(model.inputs, model.get_layer(output.name).output, name=f"helper_{output.name}")
            for output in line.outputs
        }
        self.losses = {name: keras.losses.get(loss) for name, loss in losses_for_line(line).items()}
        model.optimizer.build(model.trainable_variables)
        self._step = tf.function(self._train_step)

    def _train_step(self, per_output):
        import tensorflow as tf

        variables = self.model.trainable_variables
        watched = [v.value for v in variables]  # the backing tf.Variables: what the tape sees
        total = [tf.zeros_like(v) for v in watched]
        logs = {}
        for name, (inputs, targets) in per_output.items():
            with tf.GradientTape() as tape:
                predictions = self.helpers[name](inputs, training=True)
                loss = tf.reduce_mean(self.losses[name](targets, predictions))
            gradients = tape.gradient(loss, watched, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            total = [t + g for t, g in zip(total, gradients)]
            logs[f"{name}_loss"] = loss
        self.model.optimizer.apply(total, variables)
        logs["loss"] = tf.add_n(list(logs.values()))
        return logs

    def split(self, batch: dict, buffer_names) -> dict:
        """``{output: (inputs, targets)}``: each output gets the rows of its own buffer."""
        inputs, targets, _ = LineCodec(self.line).training_data(batch)
        per_output = {}
        for name in self.line.output_names:
            if name not in buffer_names:
                raise ConfigError(f"{self.line.name}'s helper loop needs a buffer per output; got {buffer_names}")
            rows = batch["buffer"] == buffer_names.index(name)
            per_output[name] = ({k: v[rows] for k, v in inputs.items()}, targets[name][rows])
        return per_output

    def run(self, trainer, source, batches: int, callback) -> dict:
        callback.set_model(self.model)
        self.model.stop_training = False
        buffer_names = list(getattr(source, "buffer_names", self.line.output_names))
        for index in range(batches):
            batch = source.next_batch(trainer.batch_per_buffer)
            logs = self._step(self.split(batch, buffer_names))
            callback.on_train_batch_end(index, {k: float(np.asarray(v)) for k, v in logs.items()})
            if self.model.stop_training:
                break
        callback.on_train_end()
        return callback.result()
