"""Default plugin registering every built-in model line."""

from charles_core.hookspecs import hookimpl
from charles_core.lines import (
    charles_pilotnet,
    model_0001_xception,
    model_0002_xception,
    model_0003_xception,
    model_0004_inceptionresnetv2,
    model_0005_inceptionresnetv2,
    model_0006_inceptionresnetv2,
    model_0007_inceptionresnetv2,
    model_0008_irv2_data_td,
    model_0009_irv2_cr_tl,
    two_backbone_lines,
)

LINE_MODULES = (
    model_0001_xception,
    model_0002_xception,
    model_0003_xception,
    model_0004_inceptionresnetv2,
    model_0005_inceptionresnetv2,
    model_0006_inceptionresnetv2,
    model_0007_inceptionresnetv2,
    model_0008_irv2_data_td,
    model_0009_irv2_cr_tl,
    two_backbone_lines,
    charles_pilotnet,
)


@hookimpl
def charles_register_lines(register):
    for module in LINE_MODULES:
        for config in module.VERSIONS:
            register(config)
