"""model_0002_xception: the 0001 v6 architecture, Balancing_v2 and the per-output helper loop."""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import three_outputs

LINE = "model_0002_xception"

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1",
        line=LINE,
        version=1,
        backbone="xception",
        outputs=three_outputs(),
        balancing="v2",
        training_loop="per_output_helpers",
        summary="0001 v6 architecture trained by three helper models, one per output buffer, gradients summed",
    ),
)
