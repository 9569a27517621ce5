"""model_0006_inceptionresnetv2: several frames per prediction.

v1 and v2 stack frames on the channel axis (published; they snaked). v3 is
ours: the remedy the write-up names but never built, a shared backbone per
frame followed by an LSTM over time.
"""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import two_outputs

LINE = "model_0006_inceptionresnetv2"

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1",
        line=LINE,
        version=1,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        frames=7,
        frame_mode="stacked",
        summary="0004 architecture fed 7 frames stacked on the channel axis (21 channels)",
        outcome="failed: 'identity crisis', snaking",
    ),
    LineConfig(
        name=f"{LINE}_v2",
        line=LINE,
        version=2,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        frames=3,
        frame_mode="stacked",
        summary="0004 architecture fed 3 frames stacked on the channel axis (9 channels)",
        outcome="failed like v1",
    ),
    LineConfig(
        name=f"{LINE}_v3",
        line=LINE,
        version=3,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        frames=3,
        frame_mode="time_distributed",
        temporal_units=256,
        summary="charles_core's remedy: a shared InceptionResNetV2 per frame (3 frames), then LSTM(256)",
        outcome="not published: built by charles_core",
    ),
)
