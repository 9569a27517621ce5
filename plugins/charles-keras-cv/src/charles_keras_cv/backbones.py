"""keras-cv backbones for charles_core, built from explicit architecture arguments.

keras-cv's named aliases (``ResNet18V2Backbone()``, ``CSPDarkNetTinyBackbone()``,
...) call ``from_preset``, which fetches the config from a model hub and fails
offline. Every backbone here calls the family's class with the architecture
written out (the same numbers the presets hold), so nothing is ever downloaded.

Each build returns the keras-cv model itself: a ``keras.Model`` mapping images
to its last feature map. ``include_rescaling=False``: charles_core's
``FramePreprocessing`` layer scales frames to [0, 1] first (``"unit"``, what
keras-cv's own ``Rescaling(1/255)`` does).

Left out (keras-cv 0.9 with Keras 3): ``CSPDarkNetBackbone`` (its conv blocks hold
``Lambda(lambda x: silu(x))`` layers, so a saved line cannot be loaded with
``safe_mode=True``, which charles_core's checkpoints require; its ``Focus`` stem also
fails on odd sides) and ``MobileNetV3Backbone`` (its ``HardSigmoidActivation`` layer
takes no ``name`` argument, so a saved line cannot be deserialised at all).

Example:

```python
from charles_keras_cv.backbones import KCV_BACKBONES
spec = KCV_BACKBONES["kcv_resnet18_v2"]
model = spec.build((64, 96, 3))
model.output.shape  # (None, 2, 3, 512)
```
"""

from __future__ import annotations

import functools

from charles_core import BackboneSpec

# -- architectures -----------------------------------------------------------------------
# name -> (keras-cv class, constructor arguments). Numbers from the keras-cv 0.9 presets /
# keras.applications; kept here so no preset lookup happens.

_RESNET = {
    "stackwise_filters": [64, 128, 256, 512],
    "stackwise_strides": [1, 2, 2, 2],
}

_EFFICIENTNET_V2_COMMON = {
    "stackwise_kernel_sizes": [3, 3, 3, 3, 3, 3],
    "stackwise_expansion_ratios": [1, 4, 4, 4, 6, 6],
    "stackwise_squeeze_and_excite_ratios": [0.0, 0.0, 0.0, 0.25, 0.25, 0.25],
    "stackwise_strides": [1, 2, 2, 2, 1, 2],
    "stackwise_conv_types": ["fused", "fused", "fused", "unfused", "unfused", "unfused"],
    "width_coefficient": 1.0,
    "depth_coefficient": 1.0,
}


ARCHITECTURES = {
    "kcv_resnet18_v2": ("ResNetV2Backbone", {**_RESNET, "stackwise_blocks": [2, 2, 2, 2], "block_type": "basic_block"}),
    "kcv_resnet34_v2": ("ResNetV2Backbone", {**_RESNET, "stackwise_blocks": [3, 4, 6, 3], "block_type": "basic_block"}),
    "kcv_resnet50_v2": ("ResNetV2Backbone", {**_RESNET, "stackwise_blocks": [3, 4, 6, 3], "block_type": "block"}),
    "kcv_efficientnetv2_b0": (
        "EfficientNetV2Backbone",
        {
            **_EFFICIENTNET_V2_COMMON,
            "stackwise_num_repeats": [1, 2, 2, 3, 5, 8],
            "stackwise_input_filters": [32, 16, 32, 48, 96, 112],
            "stackwise_output_filters": [16, 32, 48, 96, 112, 192],
        },
    ),
    "kcv_efficientnetv2_s": (
        "EfficientNetV2Backbone",
        {
            **_EFFICIENTNET_V2_COMMON,
            "stackwise_num_repeats": [2, 4, 4, 6, 9, 15],
            "stackwise_input_filters": [24, 24, 48, 64, 128, 160],
            "stackwise_output_filters": [24, 48, 64, 128, 160, 256],
        },
    ),
    "kcv_resnet18": ("ResNetBackbone", {**_RESNET, "stackwise_blocks": [2, 2, 2, 2], "block_type": "basic_block"}),
    "kcv_resnet50": ("ResNetBackbone", {**_RESNET, "stackwise_blocks": [3, 4, 6, 3], "block_type": "block"}),
    "kcv_densenet121": (
        "DenseNetBackbone",
        {"stackwise_num_repeats": [6, 12, 24, 16], "compression_ratio": 0.5, "growth_rate": 32},
    ),
}


def build_kcv(name: str, input_shape):
    """Build the keras-cv backbone ``name`` for ``input_shape=(height, width, channels)``.

    Args:
        name: a key of ``ARCHITECTURES`` (``"kcv_resnet18_v2"``).
        input_shape: ``(height, width, channels)``.

    Returns:
        The keras-cv ``Backbone`` (a ``keras.Model``) mapping images to its last
        4-D feature map, randomly initialised.

    Example:

    ```python
    model = build_kcv("kcv_efficientnetv2_b0", (64, 64, 3))
    model.output.shape  # (None, 2, 2, 1280)
    ```
    """
    import keras_cv

    class_name, arguments = ARCHITECTURES[name]
    constructor = getattr(keras_cv.models, class_name)
    return constructor(include_rescaling=False, input_shape=tuple(input_shape), name=name, **arguments)


# name -> (min input side, feature channels, last conv layer, description).
# Last conv layer: the activated output of the last convolution, the map Convcam shows (as
# conv_7b_ac for InceptionResNetV2). Min side: the network's total stride, 32: every family
# here pads ("same"), so builds run down to 1x1 (29 for DenseNet121, measured), but below 32
# the last map is made of padding; the README shows how these were measured.
_DECLARED = {
    "kcv_resnet18_v2": (32, 512, "post_relu", "keras-cv ResNet18 v2 (pre-activation); 11.2M parameters"),
    "kcv_resnet34_v2": (32, 512, "post_relu", "keras-cv ResNet34 v2 (pre-activation); 21.3M parameters"),
    "kcv_resnet50_v2": (32, 2048, "post_relu", "keras-cv ResNet50 v2 (pre-activation); 23.6M parameters"),
    "kcv_resnet18": (32, 512, "v2_stack_3_block2_out", "keras-cv ResNet18 (v1); 11.2M parameters"),
    "kcv_resnet50": (32, 2048, "v2_stack_3_block3_out", "keras-cv ResNet50 (v1); 23.6M parameters"),
    "kcv_efficientnetv2_b0": (32, 1280, "top_activation", "keras-cv EfficientNetV2 B0; 5.9M parameters"),
    "kcv_efficientnetv2_s": (32, 1280, "top_activation", "keras-cv EfficientNetV2 S; 20.3M parameters"),
    "kcv_densenet121": (32, 1024, "relu", "keras-cv DenseNet121; 7.0M parameters"),
}


def _spec(name: str) -> BackboneSpec:
    min_side, channels, last_conv, description = _DECLARED[name]
    return BackboneSpec(
        name=name,
        build=functools.partial(build_kcv, name),
        min_input_side=min_side,
        feature_channels=channels,
        last_conv_layer=last_conv,
        preprocessing="unit",
        accepts_any_channels=True,  # measured: only the first convolution changes
        description=description,
    )


KCV_BACKBONES = {name: _spec(name) for name in ARCHITECTURES}
