"""The task side of every line: common Dense stack and one head per output.

Layer names are stable (``common_dense_0``, ``head_steering_dense_1``,
``steering``) so checkpoints transfer between lines by part.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from charles_core.lines.output_spec import OutputSpec


def build_common_stack(features, widths: Sequence[int], activation: str, prefix: str = ""):
    """``features -> Dense(w) for w in widths``: the published "common" part."""
    x = features
    for index, units in enumerate(widths):
        x = keras.layers.Dense(units, activation=activation, name=f"{prefix}common_dense_{index}")(x)
    return x


def build_output_head(features, output: OutputSpec, widths: Sequence[int], activation: str):
    """One output's head: ``Dense(256) -> Dense(64) -> Dense(16)`` by default, then the output layer."""
    x = features
    for index, units in enumerate(widths):
        x = keras.layers.Dense(units, activation=activation, name=f"head_{output.name}_dense_{index}")(x)
    return keras.layers.Dense(output.units, activation=output.output_activation, name=output.name)(x)


def build_heads(
    features,
    outputs: Sequence[OutputSpec],
    common_layers: Sequence[int] = (1024,),
    head_layers: Sequence[int] = (256, 64, 16),
    activation: str = "relu",
    prefix: str = "",
) -> dict:
    """Common stack then one head per output; returns ``{output name: tensor}``.

    Args:
        features: the pooled feature vector (and any extra inputs concatenated).
        outputs: the line's outputs.
        common_layers: widths of the shared Dense layers.
        head_layers: widths of each output's own Dense layers (may be empty).
        activation: hidden activation.
        prefix: prepended to the common layers' names (one stack per backbone).

    Example:

    ```python
    import keras
    from charles_core.models.heads import build_heads
    from charles_core.lines.output_spec import two_outputs
    features = keras.Input((1536,))
    heads = build_heads(features, two_outputs())
    keras.Model(features, heads).count_params()  # 2,133,698
    ```
    """
    shared = build_common_stack(features, common_layers, activation, prefix)
    return {output.name: build_output_head(shared, output, head_layers, activation) for output in outputs}
