"""model_0009_irv2_cr_tl: transfer from the project's own checkpoints.

v1-v3 take the CNN (``backbone`` part) from 0004 v3 and the recurrent branch
(``recurrent`` part: every ``history_*`` layer, i.e. the LSTMs and, in v1, the
3 Dense after them) from 0008 v5, whose LSTM and post-LSTM widths they share.
Everything else starts at random.
"""

from charles_core.lines.line_config import LineConfig
from charles_core.lines.model_0008_irv2_data_td import V2_HISTORY, V3_HISTORY
from charles_core.lines.output_spec import two_outputs
from charles_core.lines.transfer_step import TransferStep

LINE = "model_0009_irv2_cr_tl"
_BACKBONE_FROM_0004 = TransferStep(
    "backbone",
    "checkpoint",
    freeze=True,
    source_line="model_0004_inceptionresnetv2_v3",
    source_batch=211_250,
)


def _chain(backbone_batch: int, recurrent_batch: int, freeze: bool) -> tuple[TransferStep, ...]:
    return (
        TransferStep("all", "scratch"),
        TransferStep(
            "backbone",
            "checkpoint",
            freeze=freeze,
            source_line="model_0004_inceptionresnetv2_v3",
            source_batch=backbone_batch,
        ),
        TransferStep(
            "recurrent",
            "checkpoint",
            freeze=freeze,
            source_line="model_0008_irv2_data_td_v5",
            source_batch=recurrent_batch,
        ),
    )


VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1",
        line=LINE,
        version=1,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        common_layers=(1024,) * 3,
        history=V3_HISTORY,
        transfer=_chain(27_500, 18_500, freeze=False),
        summary="0008 v3 architecture; CNN from 0004 v3 at 27,500, LSTMs from 0008 v5 at 18,500; nothing frozen",
        outcome="learned to copy the RNN and ignore the CNN",
    ),
    LineConfig(
        name=f"{LINE}_v2",
        line=LINE,
        version=2,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        common_layers=(1024,) * 9,
        history=V2_HISTORY,
        transfer=_chain(27_500, 18_500, freeze=False),
        summary="v1 without the 3 Dense after the RNN, 9 common Dense; same sources",
    ),
    LineConfig(
        name=f"{LINE}_v3",
        line=LINE,
        version=3,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        common_layers=(1024,) * 9,
        history=V2_HISTORY,
        transfer=_chain(211_250, 37_250, freeze=True),
        summary="v2 architecture; 0004 v3 at 211,250 and 0008 v5 at 37,250; transferred layers frozen",
    ),
    LineConfig(
        name=f"{LINE}_v4",
        line=LINE,
        version=4,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        common_layers=(1024,) * 9,
        transfer=(TransferStep("all", "scratch"), _BACKBONE_FROM_0004),
        summary="InceptionResNetV2 (0004 v3 at 211,250, frozen) -> 9 Dense(1024) -> 2 standard heads",
    ),
    LineConfig(
        name=f"{LINE}_v5",
        line=LINE,
        version=5,
        backbone="inception_resnet_v2",
        outputs=two_outputs(),
        transfer=(TransferStep("all", "scratch"), _BACKBONE_FROM_0004),
        summary="exactly 0004; InceptionResNetV2 from 0004 v3 at 211,250, frozen: only the head trains",
    ),
)
