"""Several predictors of one line driving as one: the mean of their outputs."""

from __future__ import annotations

import numpy as np

from charles_core.errors import ConfigError


class EnsemblePredictor:
    """The mean of several predictors' outputs: checkpoints of one line driving as one.

    Checkpoints a few hundred batches apart of one training run drive very
    differently (docs/recovery.md); averaging their predictions, not their
    weights, keeps each one's function and averages out where they disagree.

    Args:
        predictors: predictors of the same line and input size (each has
            ``predict(inputs) -> {output name: array}``).

    Raises:
        ConfigError: no predictors, or predictors whose inputs differ.

    Example:

    ```text
    predictor = EnsemblePredictor([CompiledPredictor(a), CompiledPredictor(b)])
    predictor.predict({"frame": frame})  # each output the mean of a's and b's
    ```
    """

    def __init__(self, predictors):
        self.predictors = list(predictors)
        if not self.predictors:
            raise ConfigError("EnsemblePredictor needs at least one predictor")
        self.input_shapes = self.predictors[0].input_shapes
        for other in self.predictors[1:]:
            if other.input_shapes != self.input_shapes:
                raise ConfigError(
                    f"ensemble members take different inputs: {self.input_shapes} and {other.input_shapes}"
                )
        self.weights_name = "+".join(str(p.weights_name) for p in self.predictors)

    def predict(self, inputs: dict) -> dict[str, np.ndarray]:
        """Every member's prediction on ``inputs``, averaged per output."""
        outputs = [predictor.predict(inputs) for predictor in self.predictors]
        return {name: np.mean([output[name] for output in outputs], axis=0) for name in outputs[0]}
