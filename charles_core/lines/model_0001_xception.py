"""model_0001_xception: Xception, three outputs, Balancing_v1.

v1/v2 see the last 60 acceleration, braking, steering and speed values
(``(60, 4)``, flattened) through 5 Dense layers (256 each: not documented, a
setting), concatenated with the pooled CNN vector, then 3 Dense (1024 each, not
documented) and 3 regression outputs straight off them.
"""

from charles_core.lines.line_config import HistorySpec, LineConfig
from charles_core.lines.output_spec import DELTA_BINS, three_outputs

LINE = "model_0001_xception"

HISTORY = HistorySpec(
    signals=("acceleration", "braking", "steering", "speed"), steps=60, branch="dense", layers=(256,) * 5
)
HISTORY_SUMMARY = (
    "Xception + last-60 acceleration/braking/steering/speed -> 5 Dense, concatenated with "
    "the CNN vector -> 3 Dense -> 3 regression outputs"
)

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1",
        line=LINE,
        version=1,
        backbone="xception",
        outputs=three_outputs(),
        common_layers=(1024,) * 3,
        head_layers=(),
        balancing="v1",
        history=HISTORY,
        summary=HISTORY_SUMMARY + "; trained without buffers",
        outcome="trained without buffers; v2 with 25,000-sample buffers had a much better loss",
    ),
    LineConfig(
        name=f"{LINE}_v2",
        line=LINE,
        version=2,
        backbone="xception",
        outputs=three_outputs(),
        common_layers=(1024,) * 3,
        head_layers=(),
        balancing="v1",
        history=HISTORY,
        summary=HISTORY_SUMMARY + "; 25,000-sample buffers",
        outcome="much better loss than v1 thanks to the buffers",
    ),
    LineConfig(
        name=f"{LINE}_v3",
        line=LINE,
        version=3,
        backbone="xception",
        outputs=three_outputs(),
        head_layers=(),
        balancing="v1",
        summary="Xception -> Dense(1024) -> 3 regression outputs straight off the 1024 layer",
    ),
    LineConfig(
        name=f"{LINE}_v4",
        line=LINE,
        version=4,
        backbone="xception",
        outputs=three_outputs("delta", DELTA_BINS),
        head_layers=(),
        balancing="v1",
        summary="discrete delta: Xception -> Dense(1024) -> 3 softmax outputs of 7 delta bins",
        outcome="useless without the current value as input (fixed in v5)",
    ),
    LineConfig(
        name=f"{LINE}_v5",
        line=LINE,
        version=5,
        backbone="xception",
        outputs=three_outputs("delta", DELTA_BINS),
        head_layers=(),
        balancing="v1",
        current_controls_input=True,
        summary="v4 plus the currently applied controls concatenated to the pooled CNN vector",
    ),
    LineConfig(
        name=f"{LINE}_v6",
        line=LINE,
        version=6,
        backbone="xception",
        outputs=three_outputs(),
        balancing="v1",
        summary="Xception -> Dense(1024) -> 3 standard heads (256/64/16) -> 3 regression outputs",
    ),
)
