"""``checkpoint``: copy a part's weights from a saved model of another line (the 0009 recipe).

The source is a ``.keras`` file written by the trainer, loaded with
``safe_mode=True``. Layers are matched by name, which the model builder keeps
stable across lines (``backbone``, ``common_dense_0``, ``history_lstm_0``, ...).
"""

from __future__ import annotations

from pathlib import Path

from charles_core.errors import ConfigError, StorageError
from charles_core.hookspecs import hookimpl
from charles_core.models.initializers.initializer_spec import InitializerSpec
from charles_core.models.parts import part_layers

# Modules defining the serializable layers and schedules checkpoints refer to:
# imported before loading so Keras can find the classes (safe_mode stays on).
SERIALIZABLE_MODULES = (
    "charles_core.models.backbones.frame_preprocessing",
    "charles_core.training.warmup_schedule",
    "charles_core.codec.history_inputs",
)


def register_serializables() -> None:
    import importlib
    import importlib.util

    for name in SERIALIZABLE_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def load_checkpoint_model(path, compile: bool = False):
    """Load a ``.keras`` checkpoint safely; corrupt or foreign files raise StorageError.

    Args:
        path: the ``.keras`` file.
        compile: restore the optimizer and losses too (resuming training).
    """
    import keras

    path = Path(path)
    if not path.is_file():
        raise StorageError(f"checkpoint {path} does not exist")
    if path.suffix != ".keras":
        raise StorageError(f"checkpoint {path} is not a .keras file (the format charles_core writes)")
    register_serializables()
    try:
        return keras.saving.load_model(str(path), compile=compile, safe_mode=True)
    except Exception as error:  # zip, h5 and deserialisation errors alike
        raise StorageError(f"checkpoint {path} is corrupt or unreadable: {error}") from error


def copy_part(source_model, target_model, part: str, source_name: str = "source") -> int:
    """Copy ``part``'s weights layer by layer, by name; returns the layers copied."""
    layers = part_layers(target_model, part)
    if not layers:
        raise ConfigError(f"model {target_model.name!r} has no {part!r} part to load")
    source_names = {layer.name for layer in source_model.layers}
    for layer in layers:
        if layer.name not in source_names:
            raise ConfigError(
                f"{source_name} ({source_model.name}) has no layer {layer.name!r} for the "
                f"{part!r} part of {target_model.name}"
            )
        weights = source_model.get_layer(layer.name).get_weights()
        expected = [tuple(w.shape) for w in layer.weights]
        if [w.shape for w in weights] != expected:
            raise ConfigError(
                f"layer {layer.name!r}: {source_name} holds shapes {[w.shape for w in weights]}, "
                f"{target_model.name} needs {expected} (different architecture or input size)"
            )
        layer.set_weights(weights)
    return len(layers)


def apply_checkpoint(model, *, part, line, source, seed):
    if source is None:
        raise ConfigError(f"the checkpoint initializer needs a .keras file for part {part!r}")
    copy_part(load_checkpoint_model(source), model, part, source_name=f"checkpoint {source}")


@hookimpl
def charles_register_initializers(register):
    register(
        InitializerSpec(
            name="checkpoint",
            apply=apply_checkpoint,
            needs_source=True,
            description="copy a part (backbone / recurrent / head) from a .keras checkpoint of any line",
        )
    )
