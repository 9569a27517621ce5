"""The history branch of lines 0001 v1/v2 and 0007-0009: the Keras layers over the codec's history input.

Layer names all start with ``history_`` so the parts machinery treats them as
the ``"recurrent"`` part (transfer, freezing). The input layout is the codec's
(:mod:`charles_core.codec.history_inputs`).
"""

from __future__ import annotations

from charles_core.codec.history_inputs import HISTORY_INPUT, PURPOSE_INPUT, _spec, history_columns
from charles_core.lines.line_config import HistorySpec, LineConfig


def _recurrent(spec: HistorySpec, x, activation: str):
    import keras

    if spec.branch == "td_dense_lstm":
        for index, units in enumerate(spec.layers):
            x = keras.layers.TimeDistributed(
                keras.layers.Dense(units, activation=activation), name=f"history_td_dense_{index}"
            )(x)
        widths = (spec.recurrent_units,)
    else:
        widths = spec.layers
    for index, units in enumerate(widths):
        last = index == len(widths) - 1
        layer = keras.layers.LSTM(
            units, return_sequences=not last, return_state=last and spec.use_state, name=f"history_lstm_{index}"
        )
        if last and spec.use_state:
            _, _hidden, cell = layer(x)  # hidden == the last output; the cell state is the "thought vector"
            x = cell
        else:
            x = layer(x)
    return x


def build_history_branch(line: LineConfig):
    """The history inputs, the branch's feature vector and its auxiliary outputs.

    Args:
        line: a line with ``history`` set.

    Returns:
        ``(inputs, features, auxiliary)``: ``inputs`` maps input name ->
        ``keras.Input``; ``features`` is the vector to concatenate with the
        CNN's; ``auxiliary`` maps *output name* -> the auxiliary head's tensor
        (empty unless ``auxiliary_heads`` is set or the line is ``alone``,
        where these heads are the model's outputs).

    Example:

    ```text
    inputs, features, aux = build_history_branch(get_line("model_0008_irv2_data_td_v4"))
    sorted(inputs), sorted(aux)  # (['history'], ['steering', 'throttle'])
    ```
    """
    import keras

    spec = _spec(line)
    activation = line.hidden_activation
    history = keras.Input((spec.steps, len(history_columns(spec))), name=HISTORY_INPUT)
    inputs = {HISTORY_INPUT: history}
    purpose = None
    if spec.current_purpose:
        purpose = keras.Input((2,), name=PURPOSE_INPUT)
        inputs[PURPOSE_INPUT] = purpose

    if spec.branch == "dense":
        x = keras.layers.Flatten(name="history_flatten")(history)
        if purpose is not None:
            x = keras.layers.Concatenate(name="history_with_purpose")([x, purpose])
        for index, units in enumerate(spec.layers):
            x = keras.layers.Dense(units, activation=activation, name=f"history_dense_{index}")(x)
    else:
        x = _recurrent(spec, history, activation)
        if purpose is not None:
            x = keras.layers.Concatenate(name="history_with_purpose")([x, purpose])
    for index, units in enumerate(spec.post_dense):
        x = keras.layers.Dense(units, activation=activation, name=f"history_post_dense_{index}")(x)
    features = x

    auxiliary = {}
    if spec.auxiliary_heads or spec.alone:
        # Sits on the branch only: its loss cannot reach the CNN (tests/history/test_auxiliary.py).
        a = features
        for index, units in enumerate(spec.auxiliary_heads):
            a = keras.layers.Dense(units, activation=activation, name=f"history_aux_dense_{index}")(a)
        for output in line.outputs:
            h = a
            for index, units in enumerate(spec.auxiliary_head_layers):
                h = keras.layers.Dense(units, activation=activation, name=f"history_aux_{output.name}_dense_{index}")(h)
            auxiliary[output.name] = keras.layers.Dense(
                output.units, activation=output.output_activation, name=f"history_aux_{output.name}"
            )(h)
    return inputs, features, auxiliary
