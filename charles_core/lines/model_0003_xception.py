"""model_0003_xception: Xception, two outputs (throttle, steering), Balancing_v3."""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.output_spec import two_outputs

LINE = "model_0003_xception"

_OUTCOMES = {
    1: "first line shown with Convcam",
    2: "",
    3: "short run to check buffer-filling fixes",
    4: "short run to check buffer-filling fixes",
}

VERSIONS = tuple(
    LineConfig(
        name=f"{LINE}_v{version}",
        line=LINE,
        version=version,
        backbone="xception",
        outputs=two_outputs(),
        balancing="v3",
        summary="Xception -> Dense(1024) -> 2 standard heads (throttle, steering)",
        outcome=outcome,
    )
    for version, outcome in _OUTCOMES.items()
)
