"""Built-in backbones from ``keras.applications`` (``include_top=False``, no weights).

ImageNet weights come later, from a local file, through the ``imagenet``
initializer: nothing here downloads.
"""

from __future__ import annotations

import functools
import warnings

from charles_core.hookspecs import hookimpl
from charles_core.models.backbones.backbone_spec import BackboneSpec


def _build_application(constructor_name: str, input_shape):
    import keras

    constructor = getattr(keras.applications, constructor_name)
    with warnings.catch_warnings():
        # Stacked frames pass 3 * N channels on purpose; the application warns about it.
        warnings.filterwarnings("ignore", message=".*input channels", category=UserWarning)
        return constructor(include_top=False, weights=None, input_shape=tuple(input_shape))


# name, keras.applications constructor, feature channels, min side, last conv layer,
# preprocessing, ImageNet notop file in the Keras cache, description
_APPLICATIONS = (
    (
        "xception",
        "Xception",
        2048,
        71,
        "block14_sepconv2_act",
        "tf",
        "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "Xception (lines 0001-0003, 0011); 20.9M parameters",
    ),
    (
        "inception_resnet_v2",
        "InceptionResNetV2",
        1536,
        75,
        "conv_7b_ac",
        "tf",
        "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "InceptionResNetV2 (lines 0004-0010); 54.3M parameters",
    ),
    (
        "mobilenet_v2",
        "MobileNetV2",
        1280,
        32,
        "out_relu",
        "tf",
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
        "MobileNetV2 (alpha 1.0); 2.3M parameters, fast on CPU",
    ),
    (
        "resnet50",
        "ResNet50",
        2048,
        32,
        "conv5_block3_out",
        "caffe",
        "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "ResNet50; 23.6M parameters",
    ),
)


@hookimpl
def charles_register_backbones(register):
    for name, constructor, channels, min_side, last_conv, preprocessing, weights_file, text in _APPLICATIONS:
        register(
            BackboneSpec(
                name=name,
                build=functools.partial(_build_application, constructor),
                min_input_side=min_side,
                feature_channels=channels,
                last_conv_layer=last_conv,
                preprocessing=preprocessing,
                imagenet_weights_file=weights_file,
                description=text,
            )
        )
