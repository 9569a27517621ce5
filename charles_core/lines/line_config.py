"""The typed configuration of one model line version."""

from __future__ import annotations

import re

import attrs

from charles_core.common.frames import check_input_size
from charles_core.common.validators import instance_of, integer_at_least, one_of, positive, positive_ints
from charles_core.errors import ConfigError
from charles_core.lines.output_spec import OutputSpec
from charles_core.lines.transfer_step import TransferStep

FRAME_MODES = ("single", "stacked", "time_distributed")
TRAINING_LOOPS = ("standard", "per_output_helpers")
HISTORY_BRANCHES = ("dense", "td_dense_lstm", "lstm")

_ID = re.compile(r"^[a-z0-9_]+_v\d+[a-z0-9_]*$")


def _size(instance, attribute, value):
    if len(value) != 2 or any(not isinstance(v, int) or isinstance(v, bool) or v <= 0 for v in value):
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be (height, width), positive integers; got {value!r}"
        )
    check_input_size(value, f"{type(instance).__name__}.{attribute.name}")


HISTORY_SIGNAL_NAMES = ("throttle", "acceleration", "braking", "steering", "speed", "purpose")


def _history_signals(instance, attribute, value):
    unknown = [v for v in value if v not in HISTORY_SIGNAL_NAMES]
    if not value or unknown or len(set(value)) != len(value):
        raise ConfigError(f"history signals must be distinct names from {HISTORY_SIGNAL_NAMES}; got {value!r}")


@attrs.frozen
class HistorySpec:
    """The past-values input of lines 0001 v1/v2 and 0007-0009.

    The model sees one input, ``"history"``, of shape ``(steps, features)``:
    one row per past step, oldest first, the newest row being the step
    *before* the one predicted (strictly past). Its columns are the signals in
    ``signals`` order, ``"purpose"`` taking two (distance, direction); see
    :func:`charles_core.codec.history_inputs.history_columns`. Speed is multiplied by
    ``speed_scale`` so every column is of order 1.

    Args:
        signals: which past values the model sees, each ``steps`` long, oldest
            first: any of ``"throttle"``, ``"acceleration"``, ``"braking"``,
            ``"steering"``, ``"speed"``, ``"purpose"`` (2 values per step).
        steps: how many past steps (60 in every published line).
        branch: ``"dense"`` (flattened, Dense stack), ``"td_dense_lstm"``
            (TimeDistributed Dense then one LSTM) or ``"lstm"`` (stacked LSTMs).
        layers: widths of the branch's Dense / TimeDistributed Dense / LSTM
            layers (not documented by the original project; settings).
        recurrent_units: width of the single LSTM of ``"td_dense_lstm"``.
        post_dense: Dense layers after the recurrent part (0008 v3).
        use_state: feed the last LSTM's *cell* state ("thought vector")
            instead of its output (0008 v6, v7). An LSTM's hidden state equals
            its last output, so the cell state is the one that differs.
        auxiliary_heads: widths of the auxiliary Dense layers on the branch
            (0008 v4-v6); empty for no auxiliary outputs (unless ``alone``).
        auxiliary_head_layers: widths of each auxiliary output's own head
            (a quarter of the standard 256/64/16 by default).
        auxiliary_loss_weight: the auxiliary outputs' loss weight (0.25).
        alone: the recurrent branch alone, no frame input and no CNN: the
            auxiliary part's heads are the model's outputs (0008 v5, v6).
        current_purpose: also feed the *current* purpose (2 values) next to
            the flattened history (0007, where purpose was not yet a history).
        speed_scale: factor applied to speed values (the simulator's speed
            reaches ~100 units/s; 0.01 brings it to ~1).

    Example:

    ```python
    HistorySpec(signals=("throttle", "steering", "speed", "purpose"), branch="lstm",
                layers=(128,) * 5, post_dense=(128,) * 3)
    ```
    """

    signals: tuple[str, ...] = attrs.field(
        default=("throttle", "steering", "speed"), converter=tuple, validator=_history_signals
    )
    steps: int = attrs.field(default=60, validator=integer_at_least(1))
    branch: str = attrs.field(default="dense", validator=one_of(HISTORY_BRANCHES))
    layers: tuple[int, ...] = attrs.field(default=(256, 256, 256, 256, 256), converter=tuple, validator=positive_ints)
    recurrent_units: int = attrs.field(default=128, validator=integer_at_least(1))
    post_dense: tuple[int, ...] = attrs.field(default=(), converter=tuple, validator=positive_ints)
    use_state: bool = False
    auxiliary_heads: tuple[int, ...] = attrs.field(default=(), converter=tuple, validator=positive_ints)
    auxiliary_head_layers: tuple[int, ...] = attrs.field(default=(64, 16, 4), converter=tuple, validator=positive_ints)
    auxiliary_loss_weight: float = attrs.field(default=0.25, converter=float)
    alone: bool = False
    current_purpose: bool = False
    speed_scale: float = attrs.field(default=0.01, converter=float)

    def __attrs_post_init__(self):
        if self.branch == "dense" and self.use_state:
            raise ConfigError("history use_state needs an LSTM branch ('lstm' or 'td_dense_lstm')")
        if self.branch in ("dense", "lstm") and not self.layers:
            raise ConfigError(f"history branch {self.branch!r} needs at least one layer width")
        if self.current_purpose and "purpose" in self.signals:
            raise ConfigError("purpose is either a history signal or the current_purpose input, not both")
        if not self.auxiliary_loss_weight > 0:
            raise ConfigError(f"auxiliary_loss_weight must be > 0; got {self.auxiliary_loss_weight}")
        if not self.speed_scale > 0:
            raise ConfigError(f"speed_scale must be > 0; got {self.speed_scale}")

    @property
    def has_auxiliary_outputs(self) -> bool:
        """Whether the model carries ``aux_<output>`` outputs besides its main ones."""
        return bool(self.auxiliary_heads) and not self.alone


def registered_balancer(instance, attribute, value) -> None:
    """A line names its balancer; the name is looked up in the balancers registry (plugins may add one)."""
    from charles_core import plugins

    if not isinstance(value, str) or value not in plugins.balancers:
        known = ", ".join(plugins.balancers.names())
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must name a registered balancer ({known}); got {value!r}"
        )


@attrs.frozen
class LineConfig:
    """A model line version: architecture, data and training recipe.

    Settings the original project did not document carry our chosen default,
    documented in ``docs/lines/``.

    Args:
        name: the id, ``<line>_v<version>`` (``"model_0004_inceptionresnetv2_v3"``).
        line: the line, ``"model_0004_inceptionresnetv2"``.
        version: the version number.
        backbone: a registered backbone name; any other can be swapped in.
        outputs: the model's outputs (``OutputSpec``), in order.
        common_layers: widths of the common Dense stack after the features
            (``(1024,)``; 3 for 0007/0008, 9 for 0009 v2-v4).
        head_layers: widths of each output's head (``(256, 64, 16)``, the
            standard head; ``()`` for outputs straight off the common stack).
        hidden_activation: activation of every hidden Dense layer (not
            documented; ``"relu"``).
        frames: frames per prediction (1; 7 or 3 for the 0006 lines).
        frame_mode: ``"single"``, ``"stacked"`` (frames on the channel axis,
            only the first convolution changes) or ``"time_distributed"`` (a
            shared backbone per frame, then an LSTM over time).
        temporal_units: LSTM width of the time-distributed mode.
        backbone_per_output: one full backbone with its own common stack and
            head per output (0010, 0011).
        current_controls_input: the currently applied control values as extra
            inputs, concatenated to the pooled features (0001 v5).
        history: the past-values input and its branch, or ``None``.
        transfer: the weight-initialisation recipe, applied in order.
        balancing: the balancer (``"v1"``..``"v4"``).
        buffer_capacity: samples per output buffer (25,000).
        batch_per_buffer: samples drawn from each buffer per batch (not
            documented; 16).
        learning_rate: Adam learning rate (not documented; 1e-4).
        warmup_batches: linear learning-rate warmup (1,000 for 0004 v3).
        training_loop: ``"standard"`` or ``"per_output_helpers"`` (0002).
        input_size: native (height, width), 270x480.
        summary: one-line description.
        outcome: what happened to it in the original project.
    """

    name: str = attrs.field()
    line: str = attrs.field(validator=instance_of(str))
    version: int = attrs.field(validator=instance_of(int))
    backbone: str = attrs.field(validator=instance_of(str))
    outputs: tuple[OutputSpec, ...] = attrs.field(converter=tuple)
    common_layers: tuple[int, ...] = attrs.field(default=(1024,), converter=tuple, validator=positive_ints)
    head_layers: tuple[int, ...] = attrs.field(default=(256, 64, 16), converter=tuple, validator=positive_ints)
    hidden_activation: str = "relu"
    frames: int = attrs.field(default=1, validator=integer_at_least(1))
    frame_mode: str = attrs.field(default="single", validator=one_of(FRAME_MODES))
    temporal_units: int = attrs.field(default=256, validator=integer_at_least(1))
    backbone_per_output: bool = False
    current_controls_input: bool = False
    history: HistorySpec | None = None
    transfer: tuple[TransferStep, ...] = attrs.field(default=(TransferStep("all", "scratch"),), converter=tuple)
    balancing: str = attrs.field(default="v3", validator=registered_balancer)
    buffer_capacity: int = attrs.field(default=25_000, validator=integer_at_least(1))
    batch_per_buffer: int = attrs.field(default=16, validator=integer_at_least(1))
    learning_rate: float = attrs.field(default=1e-4, validator=positive)
    warmup_batches: int = attrs.field(default=0, validator=integer_at_least(0))
    training_loop: str = attrs.field(default="standard", validator=one_of(TRAINING_LOOPS))
    input_size: tuple[int, int] = attrs.field(default=(270, 480), converter=tuple, validator=_size)
    summary: str = ""
    outcome: str = ""

    @name.validator
    def _check_name(self, attribute, value):
        if not isinstance(value, str) or not _ID.match(value):
            raise ConfigError(f"line id must look like <line>_v<version>; got {value!r}")

    @outputs.validator
    def _check_outputs(self, attribute, value):
        names = [getattr(o, "name", o) for o in value]
        if not value or len(set(names)) != len(names) or not all(isinstance(o, OutputSpec) for o in value):
            raise ConfigError(f"{self.name}: outputs must be distinct OutputSpecs; got {names}")

    def __attrs_post_init__(self):
        if self.frame_mode == "single" and self.frames != 1:
            raise ConfigError(f"{self.name}: frame_mode 'single' takes frames=1; got {self.frames}")
        if self.frame_mode != "single" and self.frames < 2:
            raise ConfigError(f"{self.name}: frame_mode {self.frame_mode!r} needs frames >= 2")
        if self.backbone_per_output and self.frame_mode != "single":
            raise ConfigError(f"{self.name}: one backbone per output works with single frames only")
        if self.history is not None and not isinstance(self.history, HistorySpec):
            raise ConfigError(f"{self.name}: history must be a HistorySpec; got {type(self.history).__name__}")
        if (
            self.history is not None
            and self.history.alone
            and (self.frame_mode != "single" or self.backbone_per_output or self.current_controls_input)
        ):
            raise ConfigError(f"{self.name}: a history-alone line has no frame input, so no frame options")

    @property
    def has_frame_input(self) -> bool:
        """False for recurrent-only lines (0008 v5, v6): the model sees no frame."""
        return self.history is None or not self.history.alone

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.outputs)

    @property
    def frame_input_shape(self) -> tuple[int, ...]:
        """The frame input's shape at the native input size."""
        return frame_input_shape(self, self.input_size)


def frame_input_shape(line: LineConfig, input_size) -> tuple[int, ...]:
    height, width = input_size
    if line.frame_mode == "stacked":
        return (height, width, 3 * line.frames)
    if line.frame_mode == "time_distributed":
        return (line.frames, height, width, 3)
    return (height, width, 3)
