"""model_0001_xception: Xception, three outputs, Balancing_v1 (v3-v6; v1/v2 need history)."""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import DELTA_BINS, three_outputs

LINE = "model_0001_xception"

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v3", line=LINE, version=3, backbone="xception",
        outputs=three_outputs(), head_layers=(), balancing="v1",
        summary="Xception -> Dense(1024) -> 3 regression outputs straight off the 1024 layer",
    ),
    LineConfig(
        name=f"{LINE}_v4", line=LINE, version=4, backbone="xception",
        outputs=three_outputs("delta", DELTA_BINS), head_layers=(), balancing="v1",
        summary="discrete delta: Xception -> Dense(1024) -> 3 softmax outputs of 7 delta bins",
        outcome="useless without the current value as input (fixed in v5)",
    ),
    LineConfig(
        name=f"{LINE}_v5", line=LINE, version=5, backbone="xception",
        outputs=three_outputs("delta", DELTA_BINS), head_layers=(), balancing="v1",
        current_controls_input=True,
        summary="v4 plus the currently applied controls concatenated to the pooled CNN vector",
    ),
    LineConfig(
        name=f"{LINE}_v6", line=LINE, version=6, backbone="xception",
        outputs=three_outputs(), balancing="v1",
        summary="Xception -> Dense(1024) -> 3 standard heads (256/64/16) -> 3 regression outputs",
    ),
)
