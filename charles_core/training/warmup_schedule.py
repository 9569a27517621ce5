"""Linear learning-rate warmup (model_0004 v3: over the first 1,000 batches)."""

from __future__ import annotations

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="charles_core")
class WarmupSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Rises linearly from ``learning_rate / warmup_batches`` to ``learning_rate``, then stays or decays.

    Args:
        learning_rate: the rate after warmup.
        warmup_batches: batches to reach it; 0 means no warmup.
        decay_batches: with ``final_fraction`` below 1, the rate falls along a
            half cosine from ``learning_rate`` (after the warmup) to
            ``learning_rate * final_fraction`` at this batch, then stays there;
            0 means no decay.
        final_fraction: the share of ``learning_rate`` reached at ``decay_batches``.

    Example:

    ```python
    schedule = WarmupSchedule(1e-4, 1000)
    float(schedule(0)), float(schedule(999)), float(schedule(5000))  # 1e-07, 1e-04, 1e-04
    decaying = WarmupSchedule(1e-3, 0, decay_batches=2000, final_fraction=0.1)
    float(decaying(0)), float(decaying(1000)), float(decaying(5000))  # 1e-03, 5.5e-04, 1e-04
    ```
    """

    def __init__(
        self, learning_rate: float, warmup_batches: int = 0, decay_batches: int = 0, final_fraction: float = 1.0
    ):
        self.learning_rate = float(learning_rate)
        self.warmup_batches = int(warmup_batches)
        self.decay_batches = int(decay_batches)
        self.final_fraction = float(final_fraction)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        rate = ops.convert_to_tensor(self.learning_rate, "float32")
        if self.warmup_batches > 0:
            rate = rate * ops.minimum(1.0, (step + 1.0) / float(self.warmup_batches))
        if self.decay_batches > self.warmup_batches and self.final_fraction < 1.0:
            span = float(self.decay_batches - self.warmup_batches)
            progress = ops.clip((step - float(self.warmup_batches)) / span, 0.0, 1.0)
            cosine = 0.5 * (1.0 + ops.cos(math.pi * progress))
            rate = rate * (self.final_fraction + (1.0 - self.final_fraction) * cosine)
        return rate

    def get_config(self):
        return {
            "learning_rate": self.learning_rate,
            "warmup_batches": self.warmup_batches,
            "decay_batches": self.decay_batches,
            "final_fraction": self.final_fraction,
        }
