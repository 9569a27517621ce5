"""Settings of a training run, validated at the edge."""

from __future__ import annotations

import attrs

from charles_core.common.validators import (
    fraction_above_zero,
    fraction_below_one,
    integer_at_least,
    integer_between,
    one_of,
    optional_positive,
)

STRATEGIES = ("default", "mirrored", "multi_worker")


@attrs.frozen
class TrainingConfig:
    """How a :class:`~charles_core.training.trainer.Trainer` runs.

    Args:
        batch_per_buffer: samples drawn from each buffer per batch (default:
            the line's ``batch_per_buffer``).
        learning_rate: Adam's rate (default: the line's).
        warmup_batches: linear warmup (default: the line's; 1,000 for 0004 v3).
        decay_batches: the batch at which the rate has decayed (half cosine) to
            ``final_learning_fraction`` of itself; ``None``: no decay.
        final_learning_fraction: the share of the rate left at ``decay_batches``.
        weight_average: the momentum of an exponential moving average of the
            weights (e.g. 0.99: about the last 100 batches) that checkpoints and
            published weights carry, while training goes on from the raw weights;
            ``None`` (the default): the raw weights, as the published lines trained.
        checkpoint_every: save a checkpoint every N batches.
        log_every: TensorBoard scalars every N batches.
        strategy: ``"default"`` (one device), ``"mirrored"`` (the GPUs of one
            machine, or ``devices``) or ``"multi_worker"`` (across machines,
            configured by ``TF_CONFIG``).
        devices: devices for ``"mirrored"`` (e.g. ``["/cpu:0", "/cpu:1"]``).
        seed: initialisation and draw seed.
        progress: show a progress bar.
        prefetch_nice: scheduling priority drop of the thread that draws the
            next batches (Linux, 0-19; one device only). 19 lets it run in the
            gaps of TensorFlow's work: PilotNet at 72x96 on 2 cores trained at
            0.93 of the raw step with it, 0.87 without.
        history_limit: the most per-batch loss entries ``Trainer.history`` keeps;
            beyond it the history thins itself to every 2nd, 4th, ... batch, so a
            trainer that runs for days keeps its memory (TensorBoard has every
            ``log_every``-th batch).
    """

    batch_per_buffer: int | None = attrs.field(default=None, validator=attrs.validators.optional(integer_at_least(1)))
    learning_rate: float | None = attrs.field(default=None, validator=optional_positive)
    warmup_batches: int | None = None
    decay_batches: int | None = attrs.field(default=None, validator=attrs.validators.optional(integer_at_least(1)))
    final_learning_fraction: float = attrs.field(default=1.0, validator=fraction_above_zero)
    weight_average: float | None = attrs.field(default=None, validator=attrs.validators.optional(fraction_below_one))
    checkpoint_every: int = attrs.field(default=1000, validator=integer_at_least(1))
    log_every: int = attrs.field(default=10, validator=integer_at_least(1))
    strategy: str = attrs.field(default="default", validator=one_of(STRATEGIES))
    devices: tuple[str, ...] | None = attrs.field(default=None, converter=attrs.converters.optional(tuple))
    seed: int = 0
    progress: bool = True
    prefetch_nice: int = attrs.field(default=19, validator=integer_between(0, 19))
    history_limit: int = attrs.field(default=10_000, validator=integer_at_least(2))
