"""model_0004_inceptionresnetv2: the 0003 architecture on InceptionResNetV2 (the seed line)."""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import two_outputs

LINE = "model_0004_inceptionresnetv2"
SUMMARY = "InceptionResNetV2 -> Dense(1024) -> 2 standard heads (throttle, steering)"

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1",
        line=LINE,
        version=1,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        summary=SUMMARY,
        outcome="stuck steering; stopped at 12,000 batches",
    ),
    LineConfig(
        name=f"{LINE}_v2",
        line=LINE,
        version=2,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        summary=SUMMARY,
        outcome="re-initialised at random; stopped after ~160 batches",
    ),
    LineConfig(
        name=f"{LINE}_v3",
        line=LINE,
        version=3,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        warmup_batches=1_000,
        summary=SUMMARY + "; 1,000-batch warmup",
        outcome="converged after ~22,000 batches; trained to 752,000: the project's best model",
    ),
)
