"""``imagenet``: a backbone from Keras-application ImageNet weights in a local file.

Nothing is downloaded. The file is the one ``keras.applications`` would fetch
for ``include_top=False`` (e.g. ``inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5``);
it is looked up where the user points (``source``), else in the Keras cache
(``$KERAS_HOME/models``, default ``~/.keras/models``). Stacked-frame backbones
get the first convolution's RGB kernel repeated over the frames and divided by
their count, so a stack of identical frames sees what one frame would.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from charles_core import plugins
from charles_core.errors import ConfigError, StorageError, WeightsNotFoundError
from charles_core.hookspecs import hookimpl
from charles_core.models.initializers.initializer_spec import InitializerSpec
from charles_core.models.parts import backbone_models


def keras_cache_dir() -> Path:
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models"


def find_weights_file(spec, source) -> Path:
    """The weights file to load for ``spec``; a clear error saying how to get one."""
    if spec.imagenet_weights_file is None and source is None:
        raise ConfigError(f"backbone {spec.name!r} declares no ImageNet weights; name a weights file")
    path = Path(source) if source is not None else keras_cache_dir() / spec.imagenet_weights_file
    if not path.is_file():
        expected = spec.imagenet_weights_file or "the backbone's weights file"
        raise WeightsNotFoundError(
            f"ImageNet weights for backbone {spec.name!r} not found at {path}. charles_core "
            f"never downloads weights. Get {expected} (the Keras application weights without "
            "the top: on a machine with internet, `keras.applications."
            f"{spec.name}(include_top=False)` stores it in ~/.keras/models/), then pass its path "
            f"(--source backbone=PATH, or sources={{'backbone': PATH}}) or copy it to {keras_cache_dir()}/."
        )
    return path


def _adapt(reference: np.ndarray, target_shape, layer_name: str) -> np.ndarray:
    if reference.shape == tuple(target_shape):
        return reference
    # A stacked-frame first convolution: (kh, kw, 3 * frames, filters) from (kh, kw, 3, filters).
    if (
        reference.ndim == 4
        and reference.shape[:2] == tuple(target_shape[:2])
        and reference.shape[3] == target_shape[3]
        and target_shape[2] % reference.shape[2] == 0
    ):
        repeats = target_shape[2] // reference.shape[2]
        return np.tile(reference, (1, 1, repeats, 1)) / repeats
    raise ConfigError(
        f"ImageNet weights for layer {layer_name!r} have shape {reference.shape}; the model needs {tuple(target_shape)}"
    )


def load_imagenet_into(backbone, spec, path: Path) -> None:
    """Load ``path`` into a 3-channel copy of ``spec``, then copy layer by layer into ``backbone``."""
    height, width = backbone.inputs[0].shape[1:3]
    reference = spec.build((height, width, 3))
    try:
        reference.load_weights(str(path))
    except Exception as error:  # h5py and Keras raise many kinds for a bad file
        raise StorageError(
            f"could not load ImageNet weights from {path} into backbone {spec.name!r}: {error}. "
            "Is it the complete include_top=False file for this backbone?"
        ) from error
    source_layers = [layer for layer in reference.layers if layer.weights]
    target_layers = [layer for layer in backbone.layers if layer.weights]
    if [layer.name for layer in source_layers] != [layer.name for layer in target_layers]:
        raise ConfigError(f"backbone {spec.name!r} does not match its reference build layer for layer")
    for source, target in zip(source_layers, target_layers):
        target.set_weights([_adapt(w, t.shape, target.name) for w, t in zip(source.get_weights(), target.weights)])


def apply_imagenet(model, *, part, line, source, seed):
    if part != "backbone":
        raise ConfigError(f"the imagenet initializer fills the backbone only; got part {part!r}")
    spec = plugins.backbones.get(line.backbone)
    path = find_weights_file(spec, source)
    for backbone in backbone_models(model):
        load_imagenet_into(backbone, spec, path)


@hookimpl
def charles_register_initializers(register):
    register(
        InitializerSpec(
            name="imagenet",
            apply=apply_imagenet,
            description="backbone from Keras ImageNet weights in a local .h5 file or the Keras cache",
        )
    )
