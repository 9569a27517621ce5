"""What the player needs from a model: a protocol, so the player never imports Keras.

Example (a Keras model wrapped for the player):

```python
class KerasPredictor:
    def __init__(self, model):
        self.model = model
    def predict(self, inputs):
        outputs = self.model(inputs, training=False)        # batch of 1
        return {name: np.asarray(value) for name, value in outputs.items()}
    def load_weights(self, path):
        self.model.load_weights(path)
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Predictor(Protocol):
    """A model the player can drive with.

    ``predict`` takes the preprocessed inputs for one step (each array with a
    leading batch axis of 1) and returns output name -> array (``"steering"``
    and ``"throttle"``, or ``"acceleration"``/``"braking"``/``"steering"``),
    each of size 1 (shape ``(1,)`` or ``(1, 1)``). Classification lines
    return their decoded value, not the softmax.

    ``load_weights(path)`` replaces the weights in place (a ``.weights.h5``
    or ``.keras`` file named by ``CheckpointName``); it is called between two
    predictions, on the player's thread.
    """

    def predict(self, inputs: Mapping[str, np.ndarray]) -> Mapping[str, np.ndarray]: ...

    def load_weights(self, path: str) -> None: ...
