"""model_0008_irv2_data_td: recurrent history branches.

History: throttle, steering, speed and purpose (distance, direction), 60 steps
each, oldest first, as one ``(60, 5)`` sequence. Widths are not documented;
the settings here (documented in ``docs/lines/model_0008_irv2_data_td.md``):
TimeDistributed Dense 64 x5 and one LSTM of 128 (v1); LSTMs of 128 x5
(v2 on); post-LSTM Dense 128 x3 (v3 on); auxiliary part (v4-v6): 3 Dense of
256 (a quarter of the common 1024) and per-output heads 64/16/4 (a quarter of
256/64/16), loss weight 0.25, on the recurrent branch only.
"""

import attrs

from charles_core.lines.line_config import HistorySpec, LineConfig
from charles_core.lines.output_spec import two_outputs

LINE = "model_0008_irv2_data_td"
SIGNALS = ("throttle", "steering", "speed", "purpose")
LSTM_WIDTHS = (128,) * 5
POST_DENSE = (128,) * 3
AUX_DENSE = (256,) * 3

V1_HISTORY = HistorySpec(signals=SIGNALS, steps=60, branch="td_dense_lstm", layers=(64,) * 5, recurrent_units=128)
V2_HISTORY = HistorySpec(signals=SIGNALS, steps=60, branch="lstm", layers=LSTM_WIDTHS)
V3_HISTORY = attrs.evolve(V2_HISTORY, post_dense=POST_DENSE)
V4_HISTORY = attrs.evolve(V3_HISTORY, auxiliary_heads=AUX_DENSE, auxiliary_loss_weight=0.25)
V5_HISTORY = attrs.evolve(V4_HISTORY, alone=True)
V6_HISTORY = attrs.evolve(V5_HISTORY, use_state=True)
V7_HISTORY = attrs.evolve(V2_HISTORY, use_state=True)

_COMMON = dict(line=LINE, outputs=two_outputs(), common_layers=(1024,) * 3)

VERSIONS = (
    LineConfig(
        name=f"{LINE}_v1",
        version=1,
        backbone="inception_resnet_v2",
        history=V1_HISTORY,
        **_COMMON,
        summary="IRV2 + (60, 5) history -> 5 TimeDistributed Dense -> LSTM, concatenated -> 3 Dense -> 2 heads",
    ),
    LineConfig(
        name=f"{LINE}_v2",
        version=2,
        backbone="inception_resnet_v2",
        history=V2_HISTORY,
        **_COMMON,
        summary="IRV2 + (60, 5) history -> 5 stacked LSTM (last output), concatenated -> 3 Dense -> 2 heads",
    ),
    LineConfig(
        name=f"{LINE}_v3",
        version=3,
        backbone="inception_resnet_v2",
        history=V3_HISTORY,
        **_COMMON,
        summary="v2 + 3 Dense after the LSTMs, before the concatenation",
    ),
    LineConfig(
        name=f"{LINE}_v4",
        version=4,
        backbone="inception_resnet_v2",
        history=V4_HISTORY,
        **_COMMON,
        summary="v3 + auxiliary outputs on the recurrent branch (3 smaller Dense, 2 smaller heads, weight 0.25)",
    ),
    LineConfig(
        name=f"{LINE}_v5",
        version=5,
        backbone="none",
        history=V5_HISTORY,
        **_COMMON,
        summary="recurrent branch alone, no frame: 5 LSTM -> 3 Dense -> the auxiliary heads as outputs",
    ),
    LineConfig(
        name=f"{LINE}_v6",
        version=6,
        backbone="none",
        history=V6_HISTORY,
        **_COMMON,
        summary="v5 using the last LSTM's cell state (thought vector) instead of its output",
    ),
    LineConfig(
        name=f"{LINE}_v7",
        version=7,
        backbone="inception_resnet_v2",
        history=V7_HISTORY,
        **_COMMON,
        summary="v2 with the last LSTM's cell state concatenated to the CNN vector",
        outcome="steering converged almost at once (vs ~22,000 batches for 0004 v3)",
    ),
)
