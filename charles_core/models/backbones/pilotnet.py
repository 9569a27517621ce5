"""A small CPU-friendly backbone after NVIDIA's PilotNet (Bojarski et al., 2016).

Five convolutions (24, 36, 48 filters 5x5 stride 2; 64, 64 filters 3x3), valid
padding, ReLU. Its feature map is small, so it flattens instead of pooling:
the road's position in the frame is what steering needs.
"""

from __future__ import annotations

from charles_core.hookspecs import hookimpl
from charles_core.models.backbones.backbone_spec import BackboneSpec

# (filters, kernel, stride) per convolution, as in the PilotNet paper
PILOTNET_CONVOLUTIONS = ((24, 5, 2), (36, 5, 2), (48, 5, 2), (64, 3, 1), (64, 3, 1))


def pilotnet_min_input_side() -> int:
    """The smallest side that leaves a 1x1 map after the valid convolutions."""
    side = 1
    for _, kernel, stride in reversed(PILOTNET_CONVOLUTIONS):
        side = (side - 1) * stride + kernel
    return side


def build_pilotnet(input_shape):
    import keras

    inputs = keras.Input(tuple(input_shape), name="pilotnet_input")
    x = inputs
    for index, (filters, kernel, stride) in enumerate(PILOTNET_CONVOLUTIONS, start=1):
        x = keras.layers.Conv2D(filters, kernel, strides=stride, activation="relu", name=f"conv{index}")(x)
    return keras.Model(inputs, x, name="pilotnet")


@hookimpl
def charles_register_backbones(register):
    register(
        BackboneSpec(
            name="pilotnet",
            build=build_pilotnet,
            min_input_side=pilotnet_min_input_side(),
            feature_channels=64,
            last_conv_layer="conv5",
            preprocessing="tf",
            pooling="flatten",
            description="NVIDIA PilotNet-style 5-conv CNN; ~0.13M conv parameters, for CPU quickstarts",
        )
    )
