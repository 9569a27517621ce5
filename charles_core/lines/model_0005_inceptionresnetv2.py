"""model_0005_inceptionresnetv2: model_0004 with the backbone from ImageNet weights."""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import two_outputs
from charles_core.lines.transfer_step import TransferStep

LINE = "model_0005_inceptionresnetv2"

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1",
        line=LINE,
        version=1,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        transfer=(TransferStep("all", "scratch"), TransferStep("backbone", "imagenet")),
        summary="0004 architecture; InceptionResNetV2 from ImageNet weights, the rest random, nothing frozen",
        outcome="converged earlier; dropped when 0004 v3 converged",
    ),
)
