"""The preprocessing layer every model starts with (no weights, so counts match)."""

from __future__ import annotations

import keras
from keras import ops

# ImageNet statistics, RGB order.
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


@keras.saving.register_keras_serializable(package="charles_core")
class FramePreprocessing(keras.layers.Layer):
    """Turns RGB 0-255 frames into a backbone's expected input.

    Works on stacked frames too (``RGBRGB...`` on the channel axis): per-channel
    statistics repeat every 3 channels.

    Args:
        mode: one of ``BackboneSpec.preprocessing``'s modes.

    Example:

    ```python
    import numpy as np
    layer = FramePreprocessing("tf")
    layer(np.full((1, 2, 2, 3), 255.0))  # all ones
    ```
    """

    def __init__(self, mode: str = "tf", **kwargs):
        super().__init__(**kwargs)
        self.mode = mode

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        channels = inputs.shape[-1]
        if self.mode == "tf":
            return x / 127.5 - 1.0
        if self.mode == "unit":
            return x / 255.0
        if self.mode == "none":
            return x
        groups = channels // 3
        if self.mode == "torch":
            mean = ops.convert_to_tensor(list(_TORCH_MEAN) * groups, dtype=self.compute_dtype)
            std = ops.convert_to_tensor(list(_TORCH_STD) * groups, dtype=self.compute_dtype)
            return (x / 255.0 - mean) / std
        if self.mode == "caffe":
            order = [3 * g + c for g in range(groups) for c in (2, 1, 0)]
            x = ops.take(x, order, axis=-1)
            mean = ops.convert_to_tensor(list(_CAFFE_MEAN_BGR) * groups, dtype=self.compute_dtype)
            return x - mean
        raise ValueError(f"unknown preprocessing mode {self.mode!r}")

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}
