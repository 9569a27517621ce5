"""charles_pilotnet: our CPU line, the 0003/0004 layout on the PilotNet backbone.

Used by the quickstart on the embedded simulator: it trains in minutes on two
CPU cores. Native input 66x200, PilotNet's own. It sees the last two frames
stacked (as 0006 did, on a small network): one frame cannot tell how fast the
car goes, and without that the throttle overshoots every corner.

v2 also sees the speed of the last few steps (a small history branch, as
0007-0009 feed theirs): two stacked frames show motion only faintly on the
simulator's plain road, and a v1 clone still overshot its top speed and left
the road at the first fast corner. Only speed, no past controls: a clone that
sees its own past throttle learns to copy it instead of reading the road.
"""

from charles_core.lines.line_config import HistorySpec, LineConfig
from charles_core.lines.output_spec import two_outputs

LINE = "charles_pilotnet"

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1",
        line=LINE,
        version=1,
        backbone="pilotnet",
        outputs=two_outputs(),
        common_layers=(256,),
        head_layers=(64, 16),
        frames=2,
        frame_mode="stacked",
        input_size=(66, 200),
        batch_per_buffer=32,
        learning_rate=1e-3,
        summary="PilotNet on 2 stacked frames -> Dense(256) -> 2 heads (64/16): the 0004 layout scaled for a CPU",
        outcome="not published: charles_core's quickstart line",
    ),
    LineConfig(
        name=f"{LINE}_v2",
        line=LINE,
        version=2,
        backbone="pilotnet",
        outputs=two_outputs(),
        common_layers=(256,),
        head_layers=(64, 16),
        frames=2,
        frame_mode="stacked",
        history=HistorySpec(signals=("speed",), steps=4, branch="dense", layers=(32, 32)),
        input_size=(66, 200),
        batch_per_buffer=32,
        learning_rate=1e-3,
        summary="v1 + the last 4 speeds (Dense 32, 32), concatenated before Dense(256)",
        outcome="not published: charles_core's quickstart line",
    ),
)
