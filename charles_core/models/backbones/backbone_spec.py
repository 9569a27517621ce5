"""What a backbone declares to the model builder."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from charles_core.common.validators import positive as _positive

PREPROCESSING_MODES = ("tf", "torch", "caffe", "unit", "none")
POOLING_MODES = ("avg", "flatten")


@attrs.frozen
class BackboneSpec:
    """A registered backbone: features only; the model line owns pooling and heads.

    Args:
        name: the name lines and users select it by (``"inception_resnet_v2"``).
        build: ``build(input_shape) -> keras.Model`` mapping preprocessed images of
            ``input_shape=(height, width, channels)`` to a 4-D feature map
            ``(batch, h, w, feature_channels)``, before pooling. With
            ``accepts_any_channels`` it must honour any channel count (frame
            stacking passes ``3 * frames``; only the first convolution changes).
        min_input_side: the smallest height or width it can take.
        feature_channels: channels of the feature map (2048 for Xception).
        last_conv_layer: name of the last convolutional layer inside the built
            model, shown by Convcam.
        preprocessing: how RGB 0-255 frames become the backbone's input: ``"tf"``
            ([-1, 1]), ``"torch"`` (ImageNet mean/std), ``"caffe"`` (BGR, mean
            subtracted), ``"unit"`` ([0, 1]) or ``"none"``.
        input_channels: channels per frame it expects (3, RGB).
        accepts_any_channels: whether ``build`` takes other channel counts.
        pooling: the default pooling of the feature map, ``"avg"`` (global
            average, as the published lines) or ``"flatten"`` (keeps the layout;
            used by small backbones whose maps are small).
        imagenet_weights_file: the Keras-cache file name of its ImageNet weights
            without the top, for the ``imagenet`` initializer; ``None`` if none.
        description: one line for ``charles backbones``.

    Example:

    ```python
    import keras
    from charles_core import BackboneSpec

    def build_tiny(input_shape):
        inputs = keras.Input(input_shape)
        x = keras.layers.Conv2D(8, 3, strides=2, name="conv")(inputs)
        return keras.Model(inputs, x, name="tiny")

    spec = BackboneSpec(name="tiny", build=build_tiny, min_input_side=3,
                        feature_channels=8, last_conv_layer="conv")
    ```
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    build: Callable = attrs.field(validator=attrs.validators.is_callable())
    min_input_side: int = attrs.field(validator=_positive)
    feature_channels: int = attrs.field(validator=_positive)
    last_conv_layer: str = attrs.field(validator=attrs.validators.instance_of(str))
    preprocessing: str = attrs.field(default="tf", validator=attrs.validators.in_(PREPROCESSING_MODES))
    input_channels: int = attrs.field(default=3, validator=_positive)
    accepts_any_channels: bool = True
    pooling: str = attrs.field(default="avg", validator=attrs.validators.in_(POOLING_MODES))
    imagenet_weights_file: str | None = None
    description: str = ""
