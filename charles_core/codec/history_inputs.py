"""The history branch of lines 0001 v1/v2 and 0007-0009, and the one way its inputs are made.

Layout of the model input (one tensor, named ``"history"``)
-----------------------------------------------------------
``(steps, features)`` float32, one row per past step, **oldest first**; the
newest row is the step *before* the one being predicted (strictly past, see
:class:`~charles_core.codec.history_keeper.HistoryKeeper`). Columns follow the
line's ``HistorySpec.signals`` in order; ``"purpose"`` takes two columns
(distance, direction) and speed is multiplied by ``speed_scale``. The 0008
lines see ``throttle, steering, speed, purpose`` -> a ``(60, 5)`` sequence
(the spec's "(60, 4)" counts purpose as one signal; it has two values).
Line 0007 additionally takes ``"current_purpose"`` ``(2,)``: in 0007 purpose
was not yet a history (it became one in 0008).

Where the values come from
--------------------------
Samples carry ``history`` (signal -> ``(steps,)`` / ``(steps, 2)``) recorded by
the collector with a :class:`LineHistory` per car; the player keeps one
:class:`LineHistory` too. Both push, *after* each step, the controls actually
executed at it plus the speed and purpose measured at its frame, and read
``history()`` *before* the next step: the label of step t (the control chosen
for frame t) can never be in step t's history. Training assembles the input
with :func:`history_inputs_from_batch`, the player with
:func:`history_inputs_from_keeper`; both go through :func:`assemble_history`.

Layer names all start with ``history_`` so the parts machinery treats them as
the ``"recurrent"`` part (transfer, freezing).

Example:

```python
from charles_core.models import get_line
from charles_core.codec.history_inputs import history_columns, make_history_keeper, history_inputs_from_keeper
line = get_line("model_0008_irv2_data_td_v2")
history_columns(line.history)  # ('throttle', 'steering', 'speed', 'purpose_distance', 'purpose_direction')
keeper = make_history_keeper(line)
history_inputs_from_keeper(line, keeper)["history"].shape  # (1, 60, 5)
```
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from charles_core.codec.history_keeper import HistoryKeeper
from charles_core.common.signals import combine_pedals, split_throttle
from charles_core.errors import ConfigError, DataError
from charles_core.lines.line_config import HistorySpec, LineConfig

HISTORY_INPUT = "history"
PURPOSE_INPUT = "current_purpose"
AUX_PREFIX = "aux_"


def _spec(line: LineConfig) -> HistorySpec:
    if line.history is None:
        raise ConfigError(f"line {line.name} has no history input")
    return line.history


def history_columns(spec: HistorySpec) -> tuple[str, ...]:
    """Column names of the ``history`` input, in order (purpose takes two)."""
    columns = []
    for signal in spec.signals:
        columns.extend(("purpose_distance", "purpose_direction") if signal == "purpose" else (signal,))
    return tuple(columns)


def history_signal_shapes(line: LineConfig) -> dict[str, tuple[int, ...]]:
    """``{signal: per-sample shape}`` for ``BufferSet(history_shapes=...)`` and ``Sample.history``.

    Example:
        >>> history_signal_shapes(get_line("model_0008_irv2_data_td_v1"))  # doctest: +SKIP
        {'throttle': (60,), 'steering': (60,), 'speed': (60,), 'purpose': (60, 2)}
    """
    if line.history is None:
        return {}
    spec = line.history
    return {s: ((spec.steps, 2) if s == "purpose" else (spec.steps,)) for s in spec.signals}


def auxiliary_output_names(line: LineConfig) -> tuple[str, ...]:
    """``aux_<output>`` for lines with auxiliary heads beside their main ones (0008 v4)."""
    if line.history is None or not line.history.has_auxiliary_outputs:
        return ()
    return tuple(AUX_PREFIX + name for name in line.output_names)


# ----------------------------------------------------------------------------- data side


def assemble_history(line: LineConfig, signals: Mapping[str, np.ndarray]) -> np.ndarray:
    """Per-signal arrays with a batch axis -> the ``(batch, steps, features)`` model input.

    Args:
        line: a line with a history.
        signals: signal -> ``(batch, steps)`` (``(batch, steps, 2)`` for purpose).

    Raises:
        ConfigError: a signal is missing or has the wrong shape (named).
    """
    spec = _spec(line)
    shapes = history_signal_shapes(line)
    columns = []
    batch = None
    for signal in spec.signals:
        if signal not in signals:
            raise ConfigError(
                f"{line.name} sees a {spec.steps}-step history of {signal!r}, but the batch has no "
                f"'history_{signal}': record samples with history (make_buffers(line, ...) sets "
                f"history_shapes={shapes})"
            )
        values = np.asarray(signals[signal], np.float32)
        if values.shape[1:] != shapes[signal] or (batch is not None and len(values) != batch):
            raise ConfigError(
                f"history of {signal!r} must have shape (batch, *{shapes[signal]}); got {values.shape} "
                f"({line.name} takes {spec.steps} steps)"
            )
        batch = len(values)
        if signal == "speed":
            values = values * spec.speed_scale
        columns.append(values.reshape(len(values), spec.steps, -1))
    return np.concatenate(columns, axis=-1).astype(np.float32)


def history_inputs_from_batch(line: LineConfig, batch: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The history inputs of a drawn batch (``BufferSet.draw``, ``history_<signal>`` keys).

    Args:
        line: a line with a history.
        batch: a batch dict; ``purpose`` (current, ``(B, 2)``) is read for 0007.

    Returns:
        ``{"history": (B, steps, features)}`` plus ``{"current_purpose": (B, 2)}`` for 0007.

    Example:

    ```text
    batch = buffers.draw(16, rng)
    history_inputs_from_batch(line, batch)["history"].shape  # (32, 60, 5)
    ```
    """
    spec = _spec(line)
    signals = {s: batch[f"history_{s}"] for s in spec.signals if f"history_{s}" in batch}
    inputs = {HISTORY_INPUT: assemble_history(line, signals)}
    if spec.current_purpose:
        if "purpose" not in batch:
            raise ConfigError(f"{line.name} takes the current purpose; the batch has no 'purpose'")
        inputs[PURPOSE_INPUT] = np.asarray(batch["purpose"], np.float32).reshape(-1, 2)
    return inputs


class LineHistory(HistoryKeeper):
    """A :class:`HistoryKeeper` for a line's history signals (collector and player alike).

    ``push`` accepts controls either as ``throttle`` or as ``acceleration`` /
    ``braking`` and derives the other form (``throttle = acceleration -
    braking``; the pedals from :func:`~charles_core.common.signals.split_throttle`),
    so a three-output line's predictions and the simulator's throttle fill the
    same history.
    """

    def push(self, values, frame=None) -> None:
        values = dict(values)
        tracked = self.signal_shapes
        if "throttle" in tracked and "throttle" not in values and {"acceleration", "braking"} <= set(values):
            values["throttle"] = combine_pedals(values["acceleration"], values["braking"])
        if ({"acceleration", "braking"} & set(tracked)) and "throttle" in values:
            acceleration, braking = split_throttle(float(np.clip(values["throttle"], -1.0, 1.0)))
            values.setdefault("acceleration", acceleration)
            values.setdefault("braking", braking)
        super().push(values, frame=frame)


def make_history_keeper(line: LineConfig) -> LineHistory:
    """The history keeper of ``line`` (``line.history.steps`` long; frames for stacked lines)."""
    spec = _spec(line)
    shapes = {s: ((2,) if s == "purpose" else ()) for s in spec.signals}
    return LineHistory(signals=shapes, length=spec.steps, frame_count=line.frames if line.frames > 1 else 0)


def history_inputs_from_keeper(line: LineConfig, keeper: HistoryKeeper, purpose=None) -> dict[str, np.ndarray]:
    """The player's history inputs (batch of 1) from its keeper, read *before* predicting.

    Args:
        line: a line with a history.
        keeper: the player's keeper (:func:`make_history_keeper`).
        purpose: the current purpose ``(distance, direction)``; required by 0007.
    """
    spec = _spec(line)
    if keeper is None:
        raise ConfigError(f"{line.name} needs a history keeper (charles_core.codec.history_inputs.make_history_keeper)")
    if keeper.length != spec.steps:
        raise ConfigError(f"{line.name} takes {spec.steps} history steps; the keeper holds {keeper.length}")
    past = keeper.history()
    inputs = {HISTORY_INPUT: assemble_history(line, {s: v[None] for s, v in past.items()})}
    if spec.current_purpose:
        if purpose is None:
            raise ConfigError(f"{line.name} takes the current purpose: give the player a purpose source")
        inputs[PURPOSE_INPUT] = np.asarray(purpose, np.float32).reshape(1, 2)
    return inputs


def sample_history(keeper: HistoryKeeper) -> dict[str, np.ndarray]:
    """``keeper.history()`` as a ``Sample.history`` mapping (a copy; strictly past)."""
    past = keeper.history()
    if not past:
        raise DataError("the history keeper tracks no signal")
    return {name: np.array(values, np.float32) for name, values in past.items()}
