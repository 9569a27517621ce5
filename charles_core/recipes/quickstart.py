"""``charles quickstart``: the whole Charles loop on the embedded simulator, on a CPU.

The scripted NPC drives CarRacing tracks; the collector records its frames
and controls, Balancing_v3 sorts them into one buffer per output, the trainer
trains ``charles_pilotnet_v2`` from the buffers while the NPC refills them,
and the trained Charles then drives tracks it never saw (``training_path="live"``:
collecting and training run as separate processes on a local Ray, the live
system of :mod:`charles_core.live`). A table compares its
reward with the NPC's and a constant-action baseline; the run directory keeps
the TensorBoard logs, checkpoints, a loss plot and a driving GIF. The last
printed line is JSON.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from charles_core.common.validators import fraction_above_zero, fraction_below_one
from charles_core.common.validators import optional_positive as _positive
from charles_core.errors import ConfigError
from charles_core.sim.track_split import (
    TRAINING_SEED_START,
    check_evaluation_seeds,
    check_training_seeds,
    evaluation_seeds,
    training_seeds,
)

#: how the quickstart trains: one process, or collectors and a trainer on a local Ray
TRAINING_PATHS = ("in-process", "live")
#: the live path's collector processes and the cars each drives (8 cars in all, as in-process)
LIVE_COLLECTORS = 2
LIVE_CARS_PER_COLLECTOR = 4
#: NPC cars the in-process path's collector drives in turn
IN_PROCESS_CARS = 8


def validation_seeds(count: int) -> tuple[int, ...]:
    """The quickstart's validation tracks: training-range seeds after its 60 default training tracks."""
    return training_seeds(count, start=TRAINING_SEED_START + 60)


@attrs.frozen
class QuickstartConfig:
    """Settings of the quickstart (all have CLI flags).

    Args:
        line: the line trained (a CPU-friendly one). ``charles_pilotnet_v2`` sees
            the last 4 speeds besides 2 stacked frames; v1, frames only, could not
            tell its speed, overshot the corners and scored 62-362 in 7 runs (v2:
            738 and 846 against the NPC's 914 on tracks 0-4).
        input_size: frame (height, width) the line sees.
        train_minutes: training time budget (collection runs alongside).
        max_batches: stop earlier at this batch count.
        capacity: samples per buffer (the spec's 25,000 needs far more driving).
        batch_per_buffer: samples drawn from each buffer per batch.
        train_seeds: tracks the NPC drives for data, from the training range
            (:mod:`charles_core.sim.track_split`; an evaluation seed is refused).
        eval_seeds: unseen tracks for the evaluation, from the evaluation range
            (20 by default: per track Charles either finishes the lap or not, and 5
            tracks hid a 0.56 reward ratio behind 0.79).
        eval_steps: steps per evaluation episode (CarRacing's 1,000).
        checkpoint_every: a checkpoint every N batches (and one at the end).
        select_from: how many of the last checkpoints drive the validation
            tracks; the best (most laps, then reward) is the one evaluated and
            reported. 1: the last checkpoint, no validation. One run's
            checkpoints drove 2-17 of 20 unseen laps (docs/recovery.md).
        validation_seeds: the validation tracks, from the training range but
            not among ``train_seeds`` (refused if they are).
        dagger_rounds: after the first part of training on the NPC's own driving,
            rounds in which the latest Charles drives ``dagger_cars`` of the cars
            while the NPC labels every frame (DAgger); 0 (the default) for NPC
            driving only. With 3 rounds of 4 cars from 40% of 2,000 batches it
            finished 0 of 20 unseen laps against 11 without (docs/recovery.md), so it is off.
        dagger_cars: how many of the 8 cars Charles drives in those rounds.
        npc_share: the share of the training (time, or batches with ``max_batches``)
            before the first round.
        perturb_probability: chance per collector step that a perturbation starts:
            the executed steering gets an offset for a while, the label stays the
            NPC's own choice (DART-style noise injection), so the data shows the
            NPC bringing the car back from the road's edge.
        perturb_steps: longest perturbation, in steps.
        perturb_min_steps: shortest perturbation (0: always ``perturb_steps``).
        perturb_steering: largest steering offset.
        perturb_min_steering: smallest steering offset magnitude.
        takeover_distance: beyond this distance from the centre line the NPC
            takes the wheel back from a perturbation or a DAgger pilot
            (``CollectorConfig.takeover_distance``); ``None``: never.
        npc_max_speed: the NPC's top speed. It drives a little below its fastest
            (65 instead of 100 world units/s: about 913 instead of 924 mean reward on
            seeds 0-4), which a clone trained for minutes follows far better.
        learning_rate: Adam's rate (``None``: the line's, 1e-3 for charles_pilotnet_v2).
        final_learning_fraction: the learning rate decays (half cosine) to this
            share of itself at ``max_batches`` (1: constant rate; below 1 needs
            ``max_batches``).
        weight_average: checkpoints hold an exponential moving average of the
            weights with this momentum (``TrainingConfig.weight_average``);
            ``None``: the raw weights. With 0.99 the last 4 checkpoints of 3,000-batch
            runs finished 6.75-12.25 of 20 unseen laps on average against 4.0-7.5 without,
            for each of training seeds 0, 1 and 2 (docs/recovery.md).
        prefetch_nice: priority drop of the trainer's batch thread, where the NPC
            also drives (``TrainingConfig.prefetch_nice``); 0 on a machine shared
            with other work, where a thread at 19 gets almost no CPU.
        training_path: ``"live"`` (the default): 2 collector processes of 4 cars and
            the trainer on a local Ray (``charles live``'s system, no player), for
            ``train_minutes`` counted from the moment they are up, the fill included
            (needs ``charles-core[live]``; no DAgger rounds, no learning rate
            settings: those are in-process only). ``"in-process"``: one process, the
            trainer's batch thread drives the NPC when the buffers run low. On 2
            cores the live path trained 1.27-1.50x the batches in the same time
            and finished 37 of 40 unseen laps against 32 (training seeds 0 and 1,
            docs/live.md).
        run_root: where the run directory is created.
        seed: initialisation, draw and perturbation seed.
    """

    line: str = "charles_pilotnet_v2"
    input_size: tuple[int, int] = (72, 96)
    train_minutes: float = attrs.field(default=5.0, validator=_positive)
    max_batches: int | None = attrs.field(default=None, validator=_positive)
    capacity: int = attrs.field(default=1500, validator=_positive)
    batch_per_buffer: int = attrs.field(default=16, validator=_positive)
    train_seeds: tuple[int, ...] = attrs.field(factory=lambda: training_seeds(60), converter=check_training_seeds)
    eval_seeds: tuple[int, ...] = attrs.field(factory=lambda: evaluation_seeds(20), converter=check_evaluation_seeds)
    eval_steps: int = attrs.field(default=1000, validator=_positive)
    checkpoint_every: int = attrs.field(default=250, validator=_positive)
    select_from: int = attrs.field(default=4, validator=_positive)
    validation_seeds: tuple[int, ...] = attrs.field(
        factory=lambda: validation_seeds(12), converter=check_training_seeds
    )
    dagger_rounds: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    dagger_cars: int = attrs.field(default=4, validator=attrs.validators.ge(0))
    npc_share: float = attrs.field(
        default=0.4, validator=attrs.validators.and_(attrs.validators.gt(0), attrs.validators.le(1))
    )
    perturb_probability: float = attrs.field(
        default=0.03, validator=attrs.validators.and_(attrs.validators.ge(0), attrs.validators.le(1))
    )
    perturb_steps: int = attrs.field(default=6, validator=attrs.validators.ge(0))
    perturb_min_steps: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    perturb_steering: float = attrs.field(default=0.6, validator=attrs.validators.ge(0))
    perturb_min_steering: float = attrs.field(default=0.0, validator=attrs.validators.ge(0))
    takeover_distance: float | None = attrs.field(default=None, validator=_positive)
    npc_max_speed: float = attrs.field(default=65.0, validator=_positive)
    learning_rate: float | None = attrs.field(default=None, validator=_positive)
    final_learning_fraction: float = attrs.field(default=1.0, validator=fraction_above_zero)
    weight_average: float | None = attrs.field(default=0.99, validator=attrs.validators.optional(fraction_below_one))
    prefetch_nice: int = attrs.field(
        default=19, validator=attrs.validators.and_(attrs.validators.ge(0), attrs.validators.le(19))
    )
    training_path: str = attrs.field(default="live", validator=attrs.validators.in_(TRAINING_PATHS))
    run_root: str = "charles_runs"
    seed: int = 0

    def __attrs_post_init__(self):
        shared = sorted(set(self.validation_seeds) & set(self.train_seeds))
        if shared:
            raise ConfigError(
                "QuickstartConfig.validation_seeds must not be training tracks the NPC collects on; "
                f"shared: {shared[:5]}"
            )
        if self.training_path == "live":
            in_process_only = {
                "dagger_rounds": self.dagger_rounds != 0,
                "learning_rate": self.learning_rate is not None,
                "final_learning_fraction": self.final_learning_fraction != 1,
            }
            asked = [name for name, given in in_process_only.items() if given]
            if asked:
                raise ConfigError(
                    f"QuickstartConfig.{', '.join(asked)}: the in-process training path only; "
                    "set training_path='in-process' (charles quickstart --path in-process)"
                )
        if self.final_learning_fraction < 1 and self.max_batches is None:
            raise ConfigError(
                "QuickstartConfig.final_learning_fraction below 1 decays the rate over max_batches: set max_batches"
            )

    def collector_settings(self) -> dict:
        """The NPC collector's perturbation and takeover settings (``CollectorConfig`` fields), for either path."""
        return {
            "perturb_probability": self.perturb_probability,
            "perturb_steps": self.perturb_steps,
            "perturb_min_steps": self.perturb_min_steps,
            "perturb_steering": self.perturb_steering,
            "perturb_min_steering": self.perturb_min_steering,
            "takeover_distance": self.takeover_distance,
        }

    def training_config(self, progress: bool = True):
        """The in-process path's ``TrainingConfig``: batches, checkpoints, weight average, learning rate."""
        from charles_core.training.training_config import TrainingConfig

        return TrainingConfig(
            batch_per_buffer=self.batch_per_buffer,
            checkpoint_every=self.checkpoint_every,
            log_every=10,
            seed=self.seed,
            progress=progress,
            prefetch_nice=self.prefetch_nice,
            decay_batches=self.max_batches if self.final_learning_fraction < 1 else None,
            final_learning_fraction=self.final_learning_fraction,
            weight_average=self.weight_average,
            learning_rate=self.learning_rate,
        )

    def live_config(self, **changes):
        """The live path's ``LiveConfig`` (``LIVE_COLLECTORS`` collectors, no player); ``changes`` replace fields.

        The trainer keeps the in-process path's buffers, batches, checkpoints and weight
        average; the collectors its NPC, tracks, perturbations and balancing.
        """
        from charles_core.live.live_config import LiveConfig

        settings = {
            "line": self.line,
            "input_size": self.input_size,
            "collectors": LIVE_COLLECTORS,
            "players": 0,
            "minutes": self.train_minutes,
            "batches": self.max_batches,
            "capacity": self.capacity,
            "batch_per_buffer": self.batch_per_buffer,
            "checkpoint_every": self.checkpoint_every,
            "weight_average": self.weight_average,
            "seed": self.seed,
            "collector_options": {
                "cars": LIVE_CARS_PER_COLLECTOR,
                "seeds": tuple(self.train_seeds),
                "npc_max_speed": self.npc_max_speed,
                **self.collector_settings(),
            },
        }
        return LiveConfig(**{**settings, **changes})


def plot_losses(history: Sequence[dict], path, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axes = plt.subplots(figsize=(7, 4))
    batches = np.array([row["batch"] for row in history])
    for key in sorted(k for k in history[0] if k.endswith("loss")):
        values = np.array([row[key] for row in history])
        window = max(1, len(values) // 50)
        smooth = np.convolve(values, np.ones(window) / window, mode="valid")
        axes.plot(batches[window - 1 :], smooth, label=key)
    axes.set_xlabel("batch")
    axes.set_ylabel("loss (moving average)")
    axes.set_yscale("log")
    axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return str(path)


def write_gif(frames, path, scale: int = 3, frame_ms: int = 60) -> str:
    from PIL import Image

    images = [Image.fromarray(f).resize((f.shape[1] * scale, f.shape[0] * scale), Image.NEAREST) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=frame_ms, loop=0)
    return str(path)


def make_in_process_collector(config: QuickstartConfig, line, run_dir) -> tuple:
    """The in-process path's buffers (in ``run_dir/buffers``) and the NPC collector filling them.

    Returns ``(buffers, collector)``: ``IN_PROCESS_CARS`` NPC cars on the training
    tracks with the quickstart's perturbations, balanced as the line asks.
    """
    from pathlib import Path

    from charles_core.collect.data_pipeline import make_balancer, make_buffers, make_sim_collector
    from charles_core.sim.expert_driver import ExpertDriver

    balancer = make_balancer(line, bins="coarse")
    buffers = make_buffers(line, Path(run_dir) / "buffers", config.input_size, balancer, config.capacity)
    collector = make_sim_collector(
        line,
        config.input_size,
        balancer,
        buffers,
        config.train_seeds,
        seed=config.seed,
        cars=IN_PROCESS_CARS,
        driver=ExpertDriver(max_speed=config.npc_max_speed),
        **config.collector_settings(),
    )
    return buffers, collector


def train_charles(config: QuickstartConfig, run_dir, progress: bool = True, log=print) -> dict:
    """Collect, balance, buffer and train in ``run_dir``; returns the trainer and counts.

    The buffers' frames are removed afterwards; the checkpoints stay.
    """
    from charles_core.collect.buffer_feed import BufferFeed
    from charles_core.collect.data_pipeline import fill_buffers
    from charles_core.collect.model_policy import ModelPolicy
    from charles_core.models import get_line
    from charles_core.training.trainer import Trainer

    line = get_line(config.line)
    buffers, collector = make_in_process_collector(config, line, run_dir)
    fill_buffers(collector, buffers, progress)

    trainer = Trainer(line, run_dir, input_size=config.input_size, config=config.training_config(progress))
    feed = BufferFeed(buffers, refill=collector.refill, seed=config.seed)
    # Phases: the NPC's own driving first, then DAgger rounds. With a batch
    # count the phases split the batches (the same run on any machine), else the time.
    shares = [1.0]
    if config.dagger_rounds:
        shares = [config.npc_share] + [(1 - config.npc_share) / config.dagger_rounds] * config.dagger_rounds
    limit = config.max_batches or 10**9
    budget = config.train_minutes * 60
    seconds = samples = 0.0
    done_share = 0.0
    for index, share in enumerate(shares):
        done_share += share
        if index > 0:  # DAgger round: the latest Charles drives some cars, the NPC labels
            from charles_core.runtimes.tflite_predictor import TFLitePredictor
            from charles_core.training.moving_average import moving_average_weights

            with moving_average_weights(trainer.model):  # Charles drives what its checkpoints hold
                pilot = TFLitePredictor(trainer.model)
            collector.set_pilots(
                [ModelPolicy(trainer.model, config.input_size, predictor=pilot) for _ in range(config.dagger_cars)]
            )
            log(f"round {index}: Charles at batch {trainer.batch:,} drives {config.dagger_cars} of the cars")
        if config.max_batches:
            until = limit if index == len(shares) - 1 else round(limit * done_share)
            phase = trainer.train(feed, until_batch=until, time_limit_s=max(budget - seconds, 1.0))
        else:
            phase = trainer.train(feed, until_batch=limit, time_limit_s=budget * share)
        seconds += phase["seconds"]
        samples += phase["samples"]
        if trainer.batch >= limit or (config.max_batches and seconds >= budget):
            break
    collector.close()
    buffers.close()
    shutil.rmtree(run_dir / "buffers")  # frames of this run only; the checkpoint is what matters
    log(
        f"trained {trainer.batch} batches ({samples:,.0f} samples, {collector.steps:,} simulator steps) "
        f"in {seconds:.0f} s"
    )
    return {"trainer": trainer, "line": line, "npc_steps": collector.steps, "train_seconds": seconds}


def _check_ray() -> None:
    from charles_core.errors import MissingDependencyError

    try:
        import ray  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "the quickstart's live training path needs Ray: pip install 'charles-core[live]' "
            "(or train in one process: charles quickstart --path in-process)"
        ) from None


@attrs.frozen
class _LiveTraining:
    """What the quickstart needs of a finished live run: the trainer's counters, its checkpoints, its losses."""

    line: object
    batch: int
    checkpoint_dir: Path
    history: list


def train_charles_live(config: QuickstartConfig, run_dir, progress: bool = True, log=print) -> dict:
    """Collect and train as the live system (2 collector processes, the trainer) on a local Ray.

    The collectors run the quickstart's NPC, perturbations and balancing; the
    trainer the same buffers, batches, weight average and checkpoints; the
    buffers' frames are removed afterwards, the checkpoints stay.
    """
    from charles_core.live.live_run import LiveRun
    from charles_core.models import get_line
    from charles_core.training.checkpoints import CHECKPOINT_DIR

    line = get_line(config.line)
    live_config = config.live_config()
    cars = f"{LIVE_COLLECTORS} collectors of {LIVE_CARS_PER_COLLECTOR} cars"
    log(f"training on the live path: {cars} and the trainer on a local Ray")
    run = LiveRun(live_config, run_dir=run_dir, progress=progress, log=lambda *_: None)
    try:
        result = run.run()
    finally:
        run.close()
    shutil.rmtree(Path(run_dir) / "buffers", ignore_errors=True)  # frames of this run only
    if not result["batches"]:
        from charles_core.errors import CharlesError

        raise CharlesError(
            f"the live path trained no batch in {result['seconds']:.0f} s: the collectors did not fill "
            f"the buffers of {config.capacity} in time (raise --minutes, or lower --capacity)"
        )
    steps = sum(collector["steps"] or 0 for collector in result["collectors"])
    log(
        f"trained {result['batch']} batches ({result['samples_in']:,} samples in, {steps:,} simulator steps) "
        f"in {result['seconds']:.0f} s"
    )
    trainer = _LiveTraining(
        line=line, batch=result["batch"], checkpoint_dir=Path(run_dir) / CHECKPOINT_DIR, history=result["history"]
    )
    return {"trainer": trainer, "line": line, "npc_steps": steps, "train_seconds": result["seconds"]}


def run_quickstart(config: QuickstartConfig, progress: bool = True, log=print) -> dict:
    """Collect, balance, buffer, train, drive and score; returns the result dict.

    The NPC, Charles and the constant baseline drive the same evaluation tracks
    (:func:`~charles_core.evaluation.drivers.evaluate_drivers`); the result holds
    their mean rewards, lap completion and driving scores with 95% intervals, and
    Charles against the NPC paired track by track.
    """
    from charles_core.collect.data_pipeline import default_run_dir
    from charles_core.collect.model_policy import ModelPolicy
    from charles_core.driving.drive import load_line_model
    from charles_core.evaluation.drivers import evaluate_drivers
    from charles_core.evaluation.eval_chart import plot_evaluation
    from charles_core.sim.evaluate import ConstantPolicy
    from charles_core.sim.expert_driver import ExpertDriver
    from charles_core.training.checkpoints import parse_checkpoint_name

    started = time.perf_counter()
    if config.training_path == "live":
        _check_ray()  # before the run directory exists
    run_dir = default_run_dir(config.run_root, "quickstart")
    log(f"run directory: {run_dir}")
    train = train_charles_live if config.training_path == "live" else train_charles
    trained = train(config, run_dir, progress, log)
    trainer, line = trained["trainer"], trained["line"]
    chosen, validation = choose_checkpoint(config, trainer, log)
    model = load_line_model(chosen)  # what the checkpoint holds (the moving average where training keeps one)

    log(f"evaluating on {len(config.eval_seeds)} unseen tracks (seeds {_seed_text(config.eval_seeds)}) ...")
    policy = ModelPolicy(model, config.input_size, record_every=2)
    drivers = {"npc": ExpertDriver(max_speed=config.npc_max_speed), "charles": policy, "baseline": ConstantPolicy()}
    report = evaluate_drivers(
        drivers, config.eval_seeds, reference="npc", max_steps=config.eval_steps, action_repeat=2, progress=progress
    )
    (run_dir / "evaluation.json").write_text(report.to_json(indent=1))

    files = {
        "checkpoint": str(chosen),
        "tensorboard": str(run_dir / "logs"),
        "loss_plot": plot_losses(trainer.history, run_dir / "loss.png", f"{line.name} on the simulator"),
        "evaluation_chart": plot_evaluation(
            report,
            run_dir / "evaluation.png",
            f"{line.name}, {Path(chosen).stem}: {len(config.eval_seeds)} unseen tracks",
        ),
        "evaluation": str(run_dir / "evaluation.json"),
        "video": write_gif(policy.recorded, run_dir / "charles_drives.gif") if policy.recorded else None,
    }
    summaries = {name: report.summary(name) for name in drivers}
    paired = report.paired("charles")
    result = {
        "line": line.name,
        "input_size": list(config.input_size),
        "training_path": config.training_path,
        "batches": trainer.batch,
        "chosen_batch": parse_checkpoint_name(chosen)[1],
        "validation": validation,
        "npc_steps": trained["npc_steps"],
        "eval_seeds": list(config.eval_seeds),
        **{f"{name}_reward": round(summaries[name]["reward"].estimate, 2) for name in drivers},
        **{f"{name}_laps": sum(row.lap_completed for row in report.tracks[name]) for name in drivers},
        "intervals": {
            name: {metric: summaries[name][metric].to_dict() for metric in ("reward", "lap_completion", "score")}
            for name in drivers
        },
        "charles_vs_npc": {key: None if value is None else value.to_dict() for key, value in paired.items()},
        "per_seed": {name: {row.seed: round(row.reward, 2) for row in report.tracks[name]} for name in drivers},
        "seconds": round(time.perf_counter() - started, 1),
        **files,
    }
    result["table"] = report.table()
    return result


def choose_checkpoint(config: QuickstartConfig, trainer, log=print) -> tuple[Path, list[dict]]:
    """The last ``config.select_from`` checkpoints driven on the validation tracks; the best and the scores."""
    from charles_core.evaluation.checkpoint_selection import select_checkpoint
    from charles_core.training.checkpoints import list_checkpoints

    candidates = [path for _, path in list_checkpoints(trainer.checkpoint_dir, trainer.line.name)]
    candidates = candidates[-config.select_from :]
    if len(candidates) < 2:  # nothing to choose between: the last checkpoint, whichever path trained it
        return candidates[-1], []
    log(
        f"choosing among the last {len(candidates)} checkpoints on {len(config.validation_seeds)} validation tracks "
        f"(seeds {_seed_text(config.validation_seeds)}, training range, not collected on) ..."
    )
    chosen, scores = select_checkpoint(candidates, config.validation_seeds, max_steps=config.eval_steps, log=log)
    log(f"chosen: {chosen.name}")
    return chosen, scores


def _seed_text(seeds) -> str:
    seeds = list(seeds)
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}-{seeds[-1]}"
    return ",".join(str(seed) for seed in seeds)


def print_table(result: dict, log=print) -> None:
    """The evaluation table (means with 95% intervals), the run's files, then one JSON line."""
    log("")
    log(result["table"])
    if result.get("validation"):
        log(f"evaluated: the checkpoint of batch {result['chosen_batch']:,} of {result['batches']:,}, the best on the")
        log(
            "validation tracks: "
            + ", ".join(f"{Path(v['checkpoint']).stem.split('-')[-1]} {v['laps']} laps" for v in result["validation"])
        )
    log("")
    for key in ("checkpoint", "tensorboard", "loss_plot", "evaluation_chart", "evaluation", "video"):
        log(f"{key:<17} {result[key]}")
    log(json.dumps({k: v for k, v in result.items() if k not in ("per_seed", "table", "intervals")}))
