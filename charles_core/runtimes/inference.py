"""Compiled inference at batch 1: what the player and the evaluations call.

``model.predict`` builds a dataset and a fresh loop on every call (tens of
milliseconds); a ``tf.function`` traced once for batch 1 calls the graph
directly. Weights can be swapped in without re-tracing: the variables stay.
"""

from __future__ import annotations

import numpy as np

from charles_core.errors import ConfigError


def batch_of_one(input_shapes: dict, inputs: dict) -> dict[str, np.ndarray]:
    """Check ``inputs`` (name -> unbatched array) against ``input_shapes``; float32 batches of one.

    Every runtime's ``predict`` starts here, so a missing input or a wrong
    frame shape gets the same error whichever runtime the player picked.
    """
    batch = {}
    for name, shape in input_shapes.items():
        if name not in inputs:
            raise ConfigError(f"missing model input {name!r}; the model takes {sorted(input_shapes)}")
        value = np.asarray(inputs[name], np.float32)
        if value.shape != shape:
            raise ConfigError(f"input {name!r} must have shape {shape}; got {value.shape}")
        batch[name] = value[None]
    return batch


def copy_checkpoint_weights(model, path) -> None:
    """Copy a checkpoint's weights into ``model``; ConfigError if it is another line or does not fit."""
    from charles_core.models.initializers.checkpoint import load_checkpoint_model

    source = load_checkpoint_model(path)
    if source.name != model.name:
        raise ConfigError(f"checkpoint {path} is of line {source.name}, the player runs {model.name}")
    try:
        model.set_weights(source.get_weights())
    except ValueError as error:
        raise ConfigError(f"checkpoint {path} does not fit the running model: {error}") from error


class CompiledPredictor:
    """Batch-1 predictions from a Keras model through one traced graph.

    Args:
        model: a model built by ``create_model`` (dict inputs and outputs).

    Example:

    ```text
    predictor = CompiledPredictor(model)
    predictor.predict({"frame": frame})  # {"throttle": array([..]), "steering": array([..])}
    ```
    """

    def __init__(self, model):
        import tensorflow as tf

        self.model = model
        self.input_shapes = {t.name: tuple(t.shape[1:]) for t in model.inputs}
        signature = {name: tf.TensorSpec((1, *shape), tf.float32) for name, shape in self.input_shapes.items()}
        self._traced = tf.function(lambda inputs: model(inputs, training=False), input_signature=[signature])
        self._forward = self._traced
        self.weights_name = "initial"

    def predict(self, inputs: dict) -> dict[str, np.ndarray]:
        """One prediction; ``inputs`` maps input name -> unbatched array; outputs are unbatched too."""
        outputs = self._forward(batch_of_one(self.input_shapes, inputs))
        return {name: value.numpy()[0] for name, value in outputs.items()}

    def load_weights(self, path) -> None:
        """Swap in a checkpoint's weights (same line and input size) without re-tracing."""
        copy_checkpoint_weights(self.model, path)
        self.weights_name = str(path)
