"""``scratch``: (re)initialise a part at random, reproducibly from a seed.

Each variable draws from its layer's own initializer with a seed derived from
the run's seed and the variable's path, so the result does not depend on the
order layers were built in.
"""

from __future__ import annotations

import zlib

import numpy as np

from charles_core.errors import ConfigError
from charles_core.hookspecs import hookimpl
from charles_core.models.initializers.initializer_spec import InitializerSpec
from charles_core.models.parts import part_layers

# variable name -> layer attributes that may hold its initializer, first match wins
_INITIALIZER_ATTRIBUTES = {
    "kernel": ("kernel_initializer", "depthwise_initializer"),  # DepthwiseConv2D names its kernel "kernel"
    "depthwise_kernel": ("depthwise_initializer",),
    "pointwise_kernel": ("pointwise_initializer",),
    "recurrent_kernel": ("recurrent_initializer",),
}


def _seeded(initializer, seed: int):
    config = initializer.get_config()
    if "seed" in config:
        config["seed"] = seed
        return type(initializer).from_config(config)
    return initializer  # constant initializers (zeros, ones) take no seed


def _initial_value(layer, variable, seed: int):
    if variable.name == "bias" and getattr(layer, "unit_forget_bias", False):
        # LSTM: the forget gate's bias starts at one (Jozefowicz et al.), the rest at zero.
        units = layer.units
        value = np.zeros(variable.shape, dtype="float32")
        value[units : 2 * units] = 1.0
        return value
    attributes = _INITIALIZER_ATTRIBUTES.get(variable.name, (f"{variable.name}_initializer",))
    initializer = next((getattr(layer, a) for a in attributes if getattr(layer, a, None) is not None), None)
    if initializer is None:
        raise ConfigError(
            f"scratch initializer: layer {layer.name!r} ({type(layer).__name__}) has none of "
            f"{attributes} for its variable {variable.path!r}; give the layer standard "
            "initializer attributes or initialise it with another initializer"
        )
    return _seeded(initializer, seed)(variable.shape, dtype=variable.dtype)


def reinitialize(layers, seed: int) -> int:
    """Re-draw every variable of ``layers`` (and their sub-layers); returns how many."""
    count = 0
    for top in layers:
        for layer in top._flatten_layers(include_self=True, recursive=True):
            own = list(layer._trainable_variables) + list(layer._non_trainable_variables)
            for variable in own:
                variable_seed = (zlib.crc32(variable.path.encode()) ^ int(seed)) & 0x7FFFFFFF
                variable.assign(_initial_value(layer, variable, variable_seed))
                count += 1
    return count


def apply_scratch(model, *, part, line, source, seed):
    if source is not None:
        raise ConfigError("the scratch initializer takes no source file")
    reinitialize(part_layers(model, part), seed)


@hookimpl
def charles_register_initializers(register):
    register(
        InitializerSpec(
            name="scratch",
            apply=apply_scratch,
            description="random weights from each layer's initializer, seeded (reproducible)",
        )
    )
