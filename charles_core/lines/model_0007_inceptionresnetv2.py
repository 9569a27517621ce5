"""model_0007_inceptionresnetv2: InceptionResNetV2 + history and purpose, 3 common Dense.

The history (throttle, steering, speed; last 60 each, oldest first) is
flattened and concatenated with the *current* purpose (distance, direction;
purpose became a history only in 0008), then 5 Dense (256 each: not
documented, a setting), concatenated with the pooled CNN vector -> 3 common
Dense(1024) -> 2 standard heads.
"""

from charles_core.lines.line_config import HistorySpec, LineConfig
from charles_core.lines.output_spec import two_outputs

LINE = "model_0007_inceptionresnetv2"

HISTORY = HistorySpec(
    signals=("throttle", "steering", "speed"), steps=60, branch="dense", layers=(256,) * 5, current_purpose=True
)

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1",
        line=LINE,
        version=1,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        common_layers=(1024,) * 3,
        history=HISTORY,
        summary="InceptionResNetV2 + last-60 throttle/steering/speed and purpose -> 5 Dense, concatenated "
        "-> 3 common Dense -> 2 standard heads",
    ),
)
