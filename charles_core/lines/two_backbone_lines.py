"""model_0010_irv2_tcb and model_0011_x_tcb: one full backbone per output."""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import two_outputs

VERSIONS = (
    LineConfig(
        name="model_0010_irv2_tcb_v1",
        line="model_0010_irv2_tcb",
        version=1,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        backbone_per_output=True,
        summary="one InceptionResNetV2 per output, each with its own Dense(1024) and standard head",
        outcome="built, never trained",
    ),
    LineConfig(
        name="model_0011_x_tcb_v1",
        line="model_0011_x_tcb",
        version=1,
        backbone="xception",
        outputs=two_outputs(),
        backbone_per_output=True,
        summary="one Xception per output, each with its own Dense(1024) and standard head",
        outcome="built, never trained",
    ),
)
