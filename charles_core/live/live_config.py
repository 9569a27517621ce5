"""Settings of a live run (``charles live``), validated at the edge."""

from __future__ import annotations

import attrs

from charles_core.common.validators import (
    fraction_above_zero,
    fraction_below_one,
    integer_at_least,
    integer_between,
    non_negative,
    optional_positive,
    positive,
)
from charles_core.errors import ConfigError
from charles_core.sim.track_split import check_evaluation_seeds, evaluation_seeds


def _input_size(instance, attribute, value) -> None:
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not all(isinstance(side, int) and not isinstance(side, bool) and side >= 8 for side in value)
    ):
        raise ConfigError(f"LiveConfig.input_size must be (height, width), each at least 8; got {value!r}")


def _resource(instance, attribute, value) -> None:
    if value is not None and (not isinstance(value, str) or not value or value in ("CPU", "GPU", "memory")):
        raise ConfigError(
            f"LiveConfig.{attribute.name} must name a custom Ray resource (e.g. charles_collector); got {value!r}"
        )


@attrs.frozen
class LiveConfig:
    """How ``charles live`` runs: who runs where, how much, and how long anyone waits.

    Args:
        line: the line trained (an id; a resumed run takes its checkpoint's line).
        input_size: ``(height, width)`` of the frames collectors record and the model sees.
        collectors: collector processes.
        players: player processes (simulator) driving with the latest weights.
        collector: the registered collector every collector process runs (``charles_register_collectors``).
        collector_options: keyword options of that collector's factory (e.g. ``{"cars": 8}``).
        minutes: stop after this wall time (``None``: only ``batches`` stops the run).
        batches: stop when the trainer's batch counter reaches this (``None``: only ``minutes``).
        capacity: samples per buffer.
        batch_per_buffer: samples drawn from each buffer per batch.
        publish_every: the trainer publishes its weights every N batches.
        checkpoint_every: the trainer writes a checkpoint every N batches (a restarted trainer
            resumes from the last one).
        ingest_samples: samples a collector sends per ``ingest`` call.
        max_in_flight: ``ingest`` calls one collector may have pending; beyond it the collector
            waits (``ray.wait``), so memory never grows with a fast collector or a slow trainer.
        pause_when_full: collectors pause while the trainer trains and every buffer holds at
            least ``pause_fill`` of its capacity (more samples would soon only replace unused
            ones), leaving the cores to the trainer; ``False`` streams on, the buffers rotating.
        pause_fill: the fill share above which collectors rest (with ``pause_when_full``);
            1 rests only at full buffers. Keep it above the buffers' pause fraction (0.9),
            where the trainer stops and waits for full buffers again. At 1 a quarter more of
            the collected samples were never drawn (37% against 24-26% at 0.95, docs/live.md).
        player_seeds: tracks the players drive (evaluation range: tracks no collector drives).
        player_max_steps: steps per player episode (CarRacing's 1,000).
        player_hz: the players' decisions per second: 25 drives in real time (CarRacing's 50 Hz
            physics at ``action_repeat`` 2), as a player of the game would; ``None``: as fast as
            the CPU allows, which on a small machine takes cores from the trainer.
        action_repeat: simulator steps per recorded sample or prediction (the quickstart's 2).
        call_timeout_s: the longest wait for one call (an ingest, a status, a weight fetch).
        start_timeout_s: the longest wait for a process to start (TensorFlow, the model, the simulator).
        data_timeout_s: the longest the trainer waits for enough samples to train on.
        trainer_restarts: how often Ray restarts a killed trainer.
        collector_restarts: how often Ray restarts each killed collector.
        player_restarts: how often Ray restarts each killed player.
        trainer_gpu: ``"auto"`` (a GPU when the cluster has one), ``"yes"`` or ``"no"``.
        trainer_threads: TensorFlow intra-op threads of the trainer (``None``: its node's cores).
        worker_threads: TensorFlow intra-op threads of each player.
        worker_nice: how much lower the collectors' and players' scheduling priority is than
            the trainer's (Linux ``nice``; 0, the default: the same), so that on shared cores the
            trainer runs first.
        trainer_resource: a custom Ray resource the trainer's node offers (placement on a cluster).
        collector_resource: the same for collectors (one unit each).
        player_resource: the same for players.
        seed: initialisation, draw and collector seeds.
        weight_average: the momentum of a moving average of the weights that checkpoints and
            published weights hold (``TrainingConfig.weight_average``); ``None`` (the default):
            the raw weights. The quickstart's 0.99 was measured in-process only (docs/recovery.md).
    """

    line: str = "charles_pilotnet_v2"
    input_size: tuple[int, int] = attrs.field(default=(72, 96), converter=tuple, validator=_input_size)
    collectors: int = attrs.field(default=2, validator=integer_at_least(0))
    players: int = attrs.field(default=1, validator=integer_at_least(0))
    collector: str = "sim"
    collector_options: dict = attrs.field(factory=dict, converter=dict)
    minutes: float | None = attrs.field(default=5.0, validator=optional_positive)
    batches: int | None = attrs.field(default=None, validator=attrs.validators.optional(integer_at_least(1)))
    capacity: int = attrs.field(default=1500, validator=integer_at_least(1))
    batch_per_buffer: int = attrs.field(default=16, validator=integer_at_least(1))
    publish_every: int = attrs.field(default=50, validator=integer_at_least(1))
    checkpoint_every: int = attrs.field(default=250, validator=integer_at_least(1))
    ingest_samples: int = attrs.field(default=64, validator=integer_at_least(1))
    max_in_flight: int = attrs.field(default=2, validator=integer_at_least(1))
    pause_when_full: bool = True
    pause_fill: float = attrs.field(default=0.95, validator=fraction_above_zero)
    player_seeds: tuple[int, ...] = attrs.field(factory=lambda: evaluation_seeds(20), converter=check_evaluation_seeds)
    player_max_steps: int = attrs.field(default=1000, validator=integer_at_least(1))
    player_hz: float | None = attrs.field(default=25.0, validator=optional_positive)
    action_repeat: int = attrs.field(default=2, validator=integer_at_least(1))
    call_timeout_s: float = attrs.field(default=60.0, validator=positive)
    start_timeout_s: float = attrs.field(default=300.0, validator=positive)
    data_timeout_s: float = attrs.field(default=600.0, validator=positive)
    trainer_restarts: int = attrs.field(default=3, validator=integer_at_least(0))
    collector_restarts: int = attrs.field(default=5, validator=integer_at_least(0))
    player_restarts: int = attrs.field(default=3, validator=integer_at_least(0))
    trainer_gpu: str = attrs.field(default="auto", validator=attrs.validators.in_(("auto", "yes", "no")))
    trainer_threads: int | None = attrs.field(default=None, validator=attrs.validators.optional(integer_at_least(1)))
    worker_threads: int = attrs.field(default=1, validator=integer_at_least(1))
    worker_nice: int = attrs.field(default=0, validator=integer_between(0, 19))
    trainer_resource: str | None = attrs.field(default=None, validator=_resource)
    collector_resource: str | None = attrs.field(default=None, validator=_resource)
    player_resource: str | None = attrs.field(default=None, validator=_resource)
    seed: int = attrs.field(default=0, validator=non_negative)
    weight_average: float | None = attrs.field(default=None, validator=attrs.validators.optional(fraction_below_one))

    def __attrs_post_init__(self):
        if self.minutes is None and self.batches is None:
            raise ConfigError("LiveConfig needs minutes or batches (or both): a live run must end")
        if self.collectors == 0 and self.players == 0:
            raise ConfigError("LiveConfig: a run with no collector and no player has nothing to train on")
