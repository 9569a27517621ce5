"""Opt-in bfloat16 inference through oneDNN, on CPUs with AVX512-BF16 or AMX.

TensorFlow's graph optimizer can run convolutions and matrix products in
bfloat16 (float32 in, float32 out, bfloat16 inside): close to twice the
float32 rate on CPUs with AVX512-BF16 (docs/benchmarks.md). Outputs move by
about 1e-4 (bfloat16 keeps 8 bits of mantissa), so it is a setting,
never the default: ``charles drive ... --precision bfloat16``.

The switch is process-wide: every graph the process runs while it is on,
training included, computes in bfloat16 where oneDNN can, so turn it on in
driving processes, before the model is loaded. Turning it off again makes
TensorFlow re-optimize each graph at its next call. :func:`enable_bfloat16_inference`
checks that it took effect and says so when it did not.

Example:

```python
from charles_core.runtimes.bfloat16_inference import enable_bfloat16_inference
enable_bfloat16_inference()  # before the model is loaded
```
"""

from __future__ import annotations

import numpy as np

from charles_core.errors import ConfigError

_OPTION = "auto_mixed_precision_onednn_bfloat16"


def bfloat16_in_effect() -> bool:
    """Whether a float32 matrix product in a graph actually runs in bfloat16 here."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    weights = rng.standard_normal((64, 64)).astype(np.float32)
    inputs = rng.standard_normal((8, 64)).astype(np.float32)

    @tf.function(input_signature=[tf.TensorSpec((8, 64), tf.float32)])
    def product(x):
        return tf.matmul(x, tf.constant(weights))

    result = product(tf.constant(inputs)).numpy()
    exact = inputs.astype(np.float64) @ weights.astype(np.float64)
    # float32 lands within ~1e-6 of the exact product; bfloat16 inputs move it by ~1e-2
    return float(np.abs(result - exact).max()) > 1e-3


def enable_bfloat16_inference() -> None:
    """Run this process's graphs in bfloat16 where oneDNN can; raises if it cannot take effect.

    Raises:
        ConfigError: this CPU or TensorFlow build has no bfloat16 path.
    """
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options({_OPTION: True})
    if not bfloat16_in_effect():
        tf.config.optimizer.set_experimental_options({_OPTION: False})
        raise ConfigError(
            "bfloat16 inference did not take effect: it needs a CPU with AVX512-BF16 or AMX (see "
            "/proc/cpuinfo: avx512_bf16, amx_bf16) and TensorFlow's oneDNN build; drive in float32 "
            "(the default) instead"
        )
