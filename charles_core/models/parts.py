"""Which layers of a built model make up each part (backbone, recurrent, head).

Initializers load and freeze by part; Convcam finds backbones here.
"""

from __future__ import annotations

import keras

BACKBONE_PREFIXES = ("backbone", "frames_td")
RECURRENT_PREFIXES = ("recurrent_", "history_")


def part_of(layer_name: str) -> str:
    """The part a top-level layer belongs to."""
    if layer_name.startswith(BACKBONE_PREFIXES):
        return "backbone"
    if layer_name.startswith(RECURRENT_PREFIXES):
        return "recurrent"
    return "head"


def part_layers(model: keras.Model, part: str) -> list[keras.layers.Layer]:
    """Top-level layers with weights in ``part`` (``"all"`` for every one)."""
    layers = [layer for layer in model.layers if layer.weights]
    if part == "all":
        return layers
    return [layer for layer in layers if part_of(layer.name) == part]


def backbone_models(model: keras.Model) -> list[keras.Model]:
    """The backbone sub-models, one per backbone (two for 0010/0011)."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.TimeDistributed):
            layer = layer.layer
            found.extend(sub for sub in getattr(layer, "layers", []) if sub.name.startswith("backbone"))
        elif layer.name.startswith("backbone") and isinstance(layer, keras.Model):
            found.append(layer)
    return found


def count_params(layers) -> tuple[int, int]:
    """(trainable, non-trainable) parameter counts of ``layers``."""
    trainable = sum(_size(w) for layer in layers for w in layer.trainable_weights)
    frozen = sum(_size(w) for layer in layers for w in layer.non_trainable_weights)
    return trainable, frozen


def _size(weight) -> int:
    size = 1
    for dim in weight.shape:
        size *= int(dim)
    return size
