"""Batch-1 inference on a *frozen* graph: the model's weights folded in as constants.

With the weights as constants TensorFlow's graph optimizer can fold each
batch normalization into the convolution before it and pre-compute what
depends on weights alone; a graph that reads variables cannot, so the frozen
graph usually predicts faster for large backbones (docs/benchmarks.md). The
price is paid at load and at every weight swap: freezing and optimizing take
seconds for InceptionResNetV2, against an instant swap for ``CompiledPredictor``.

Example:

```text
predictor = FrozenPredictor(model)
predictor.predict({"frame": frame})  # {"throttle": array([..]), "steering": array([..])}
```
"""

from __future__ import annotations

import numpy as np

from charles_core.runtimes.inference import CompiledPredictor


class FrozenPredictor(CompiledPredictor):
    """:class:`CompiledPredictor`'s interface on a frozen copy of the graph.

    Outputs equal the Keras model's up to float rounding (folding a batch
    normalization into a convolution reorders the arithmetic).

    Args:
        model: a model built by ``create_model`` (dict inputs and outputs).
    """

    def __init__(self, model):
        super().__init__(model)
        self._freeze()

    def _freeze(self) -> None:
        import tensorflow as tf
        from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

        traced = self._traced.get_concrete_function()
        frozen = convert_variables_to_constants_v2(traced)
        structure = traced.structured_outputs
        names = sorted(self.input_shapes)  # the frozen function takes its inputs flat, in key order

        def forward(batch):
            flat = frozen(*[tf.constant(batch[name]) for name in names])
            return tf.nest.pack_sequence_as(structure, flat)

        forward({name: np.zeros((1, *shape), np.float32) for name, shape in self.input_shapes.items()})
        self._forward = forward  # the first call above ran the graph optimizer

    def load_weights(self, path) -> None:
        """Swap in a checkpoint's weights, then freeze again (seconds for large backbones)."""
        super().load_weights(path)
        self._freeze()
