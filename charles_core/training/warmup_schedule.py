"""Linear learning-rate warmup (model_0004 v3: over the first 1,000 batches)."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="charles_core")
class WarmupSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Rises linearly from ``learning_rate / warmup_batches`` to ``learning_rate``, then stays.

    Args:
        learning_rate: the rate after warmup.
        warmup_batches: batches to reach it; 0 means constant.

    Example:

    ```python
    schedule = WarmupSchedule(1e-4, 1000)
    float(schedule(0)), float(schedule(999)), float(schedule(5000))  # 1e-07, 1e-04, 1e-04
    ```
    """

    def __init__(self, learning_rate: float, warmup_batches: int = 0):
        self.learning_rate = float(learning_rate)
        self.warmup_batches = int(warmup_batches)

    def __call__(self, step):
        if self.warmup_batches <= 0:
            return ops.convert_to_tensor(self.learning_rate, "float32")
        fraction = ops.minimum(1.0, (ops.cast(step, "float32") + 1.0) / float(self.warmup_batches))
        return self.learning_rate * fraction

    def get_config(self):
        return {"learning_rate": self.learning_rate, "warmup_batches": self.warmup_batches}
