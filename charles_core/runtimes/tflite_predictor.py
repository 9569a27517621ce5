"""LiteRT (TensorFlow Lite) inference at batch 1: the faster runtime for small models.

LiteRT is faster than the compiled Keras graph for small models (the
quickstart's PilotNet line) and slower for Xception and InceptionResNetV2 at
270x480 (figures in docs/benchmarks.md), so ``LinePredictor(runtime="auto")``
times every runtime and keeps the fastest.
The model converts in memory (no file, nothing to unpickle); swapping
weights reconverts, which takes seconds for the large backbones.
"""

from __future__ import annotations

import warnings

import numpy as np

from charles_core.common.terminal import native_notices_silenced
from charles_core.errors import ConfigError
from charles_core.runtimes.inference import batch_of_one, copy_checkpoint_weights


class TFLitePredictor:
    """Same interface as :class:`~charles_core.runtimes.inference.CompiledPredictor`, on LiteRT.

    Args:
        model: a model built by ``create_model`` (dict inputs and outputs).
        threads: interpreter threads (default: all cores).

    Example:

    ```text
    predictor = TFLitePredictor(model)
    predictor.predict({"frame": frame})  # {"throttle": array([..]), "steering": array([..])}
    ```
    """

    def __init__(self, model, threads: int | None = None):
        self.model = model
        self.threads = threads
        self.input_shapes = {t.name: tuple(t.shape[1:]) for t in model.inputs}
        self.weights_name = "initial"
        self._convert()

    def _convert(self) -> None:
        import tensorflow as tf

        signature = {
            name: tf.TensorSpec((1, *shape), tf.float32, name=name) for name, shape in self.input_shapes.items()
        }
        forward = tf.function(lambda inputs: self.model(inputs, training=False), input_signature=[signature])
        concrete = forward.get_concrete_function()
        # The tf.function (not the model) must be the trackable: with the model the
        # converted graph reads unbound variables and predicts NaN.
        converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], forward)
        with warnings.catch_warnings(), native_notices_silenced():  # "Created ... XNNPACK delegate" from C++
            # tf.lite.Interpreter announces its move to the ai-edge-litert package; same runtime.
            warnings.filterwarnings("ignore", category=UserWarning, message=".*tf.lite.Interpreter.*")
            interpreter = tf.lite.Interpreter(model_content=converter.convert(), num_threads=self.threads)
            interpreter.allocate_tensors()
        # Outputs come out as Identity, Identity_1, ... in the traced structure's flattened order.
        output_names = tf.nest.flatten({name: name for name in concrete.structured_outputs})
        by_tensor_name = {d["name"]: d["index"] for d in interpreter.get_output_details()}
        tensor_names = ["Identity"] + [f"Identity_{i}" for i in range(1, len(output_names))]
        if sorted(by_tensor_name) != sorted(tensor_names):
            raise ConfigError(f"unexpected LiteRT outputs {sorted(by_tensor_name)} for {output_names}")
        self._outputs = {name: by_tensor_name[t] for name, t in zip(output_names, tensor_names)}
        self._inputs = {}
        for detail in interpreter.get_input_details():
            matches = [n for n in self.input_shapes if n in detail["name"]]
            if len(matches) != 1:
                raise ConfigError(
                    f"LiteRT input {detail['name']!r} matches no single model input {sorted(self.input_shapes)}"
                )
            self._inputs[matches[0]] = detail["index"]
        self._interpreter = interpreter

    def predict(self, inputs: dict) -> dict[str, np.ndarray]:
        """One prediction; ``inputs`` maps input name -> unbatched array; outputs are unbatched."""
        for name, value in batch_of_one(self.input_shapes, inputs).items():
            self._interpreter.set_tensor(self._inputs[name], value)
        self._interpreter.invoke()
        return {name: self._interpreter.get_tensor(index)[0].copy() for name, index in self._outputs.items()}

    def load_weights(self, path) -> None:
        """Swap in a checkpoint's weights, then reconvert."""
        copy_checkpoint_weights(self.model, path)
        self._convert()
        self.weights_name = str(path)
