"""charles_pilotnet: our CPU line, the 0003/0004 layout on the PilotNet backbone.

Used by the quickstart on the embedded simulator: it trains in minutes on two
CPU cores. Native input 66x200, PilotNet's own. It sees the last two frames
stacked (as 0006 did, on a small network): one frame cannot tell how fast the
car goes, and without that the throttle overshoots every corner.
"""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import two_outputs

LINE = "charles_pilotnet"

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1", line=LINE, version=1, backbone="pilotnet",
        outputs=two_outputs(), common_layers=(256,), head_layers=(64, 16), frames=2, frame_mode="stacked",
        input_size=(66, 200), batch_per_buffer=32, learning_rate=1e-3,
        summary="PilotNet on 2 stacked frames -> Dense(256) -> 2 heads (64/16): the 0004 layout scaled for a CPU",
        outcome="not published: charles_core's quickstart line",
    ),
)
