"""model_0009_irv2_cr_tl: transfer from the project's own checkpoints (CNN-only v4, v5 here)."""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import two_outputs
from charles_core.lines.transfer_step import TransferStep

LINE = "model_0009_irv2_cr_tl"
_BACKBONE_FROM_0004 = TransferStep(
    "backbone", "checkpoint", freeze=True,
    source_line="model_0004_inceptionresnetv2_v3", source_batch=211_250,
)

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v4", line=LINE, version=4, backbone="inception_resnet_v2",
        outputs=two_outputs(), common_layers=(1024,) * 9,
        transfer=(TransferStep("all", "scratch"), _BACKBONE_FROM_0004),
        summary="InceptionResNetV2 (0004 v3 at 211,250, frozen) -> 9 Dense(1024) -> 2 standard heads",
    ),
    LineConfig(
        name=f"{LINE}_v5", line=LINE, version=5, backbone="inception_resnet_v2",
        outputs=two_outputs(),
        transfer=(TransferStep("all", "scratch"), _BACKBONE_FROM_0004),
        summary="exactly 0004; InceptionResNetV2 from 0004 v3 at 211,250, frozen: only the head trains",
    ),
)
