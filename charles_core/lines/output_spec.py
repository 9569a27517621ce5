"""One model output: its name, range and output type."""

from __future__ import annotations

import math

import attrs

from charles_core.common.validators import instance_of, one_of
from charles_core.errors import ConfigError

OUTPUT_KINDS = ("regression", "classification", "delta")

# The published discrete-delta bins (model_0001 v4/v5).
DELTA_BINS = (-0.3, -0.1, -0.03, 0.0, 0.03, 0.1, 0.3)


def _check_bins(instance, attribute, value):
    if instance.kind == "regression":
        if value:
            raise ConfigError(f"output {instance.name!r}: regression outputs take no bins")
        return
    if len(value) < 2:
        raise ConfigError(f"output {instance.name!r}: {instance.kind} needs at least 2 bins; got {value!r}")
    if any(not math.isfinite(v) for v in value) or list(value) != sorted(set(value)):
        raise ConfigError(f"output {instance.name!r}: bins must be finite and strictly increasing; got {value!r}")


@attrs.frozen
class OutputSpec:
    """An output of a model line.

    Args:
        name: ``"throttle"`` (acceleration and braking combined, [-1, 1]),
            ``"steering"`` ([-1, 1]), ``"acceleration"`` or ``"braking"`` ([0, 1]).
        low: smallest label value.
        high: largest label value.
        kind: ``"regression"`` (one neuron), ``"classification"`` (softmax
            over value bins) or ``"delta"`` (softmax over the change to apply
            to the current value).
        bins: bin centres (classification) or deltas (delta).
        activation: the regression neuron's activation. Not documented by the
            original project; the default ``None`` picks ``tanh`` for [-1, 1]
            and ``sigmoid`` for [0, 1] outputs so predictions stay in range.
    """

    name: str = attrs.field(validator=instance_of(str))
    low: float = -1.0
    high: float = 1.0
    kind: str = attrs.field(default="regression", validator=one_of(OUTPUT_KINDS))
    bins: tuple[float, ...] = attrs.field(default=(), converter=tuple, validator=_check_bins)
    activation: str | None = None

    @property
    def units(self) -> int:
        return 1 if self.kind == "regression" else len(self.bins)

    @property
    def output_activation(self) -> str:
        if self.kind != "regression":
            return "softmax"
        if self.activation is not None:
            return self.activation
        if (self.low, self.high) == (0.0, 1.0):
            return "sigmoid"
        if (self.low, self.high) == (-1.0, 1.0):
            return "tanh"
        return "linear"


def value_bins(low: float, high: float, count: int) -> tuple[float, ...]:
    """``count`` evenly spaced bin centres from ``low`` to ``high`` inclusive."""
    step = (high - low) / (count - 1)
    return tuple(round(low + i * step, 6) for i in range(count))


def throttle(kind: str = "regression", bins=()) -> OutputSpec:
    """Acceleration and braking combined into one value in [-1, 1] (lines 0003+)."""
    return OutputSpec("throttle", -1.0, 1.0, kind, bins)


def steering(kind: str = "regression", bins=()) -> OutputSpec:
    return OutputSpec("steering", -1.0, 1.0, kind, bins)


def acceleration(kind: str = "regression", bins=()) -> OutputSpec:
    return OutputSpec("acceleration", 0.0, 1.0, kind, bins)


def braking(kind: str = "regression", bins=()) -> OutputSpec:
    return OutputSpec("braking", 0.0, 1.0, kind, bins)


def two_outputs(kind: str = "regression", bins=()) -> tuple[OutputSpec, OutputSpec]:
    """The output set of lines 0003 on: throttle and steering."""
    return throttle(kind, bins), steering(kind, bins)


def three_outputs(kind: str = "regression", bins=()) -> tuple[OutputSpec, ...]:
    """The output set of lines 0001-0002: acceleration, braking, steering."""
    return acceleration(kind, bins), braking(kind, bins), steering(kind, bins)
