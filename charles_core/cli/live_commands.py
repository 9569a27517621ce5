"""``charles live``: collectors, one trainer and players as processes on Ray (docs/live.md)."""

from __future__ import annotations

import json

from charles_core.common import arguments as arg
from charles_core.errors import ConfigError


def _option(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` of a collector option; the value is read as JSON when it parses (``cars=8``), else text."""
    import argparse

    key, separator, value = text.partition("=")
    if not separator or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"must be KEY=VALUE with KEY a Python name (e.g. cars=8); got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def _minutes(text: str) -> float | None:
    return None if text == "none" else arg.positive_float(text)


def cmd_live(args) -> int:
    from charles_core.live.live_config import LiveConfig
    from charles_core.live.live_run import LiveRun

    options = dict(args.collector_option or [])
    if args.cars is not None:
        options["cars"] = args.cars
    settings = dict(
        line=args.line,
        collectors=args.collectors,
        players=args.players,
        collector=args.collector,
        collector_options=options,
        minutes=args.minutes,
        batches=args.batches,
        capacity=args.capacity,
        batch_per_buffer=args.batch_per_buffer,
        publish_every=args.publish_every,
        checkpoint_every=args.checkpoint_every,
        player_max_steps=args.player_max_steps,
        player_hz=args.player_hz or None,
        pause_when_full=not args.keep_collecting,
        call_timeout_s=args.call_timeout,
        start_timeout_s=args.start_timeout,
        trainer_gpu=args.trainer_gpu,
        trainer_resource=args.trainer_resource,
        collector_resource=args.collector_resource,
        player_resource=args.player_resource,
        seed=args.seed,
        weight_average=args.weight_average or None,
    )
    if args.pause_fill is not None:
        settings["pause_fill"] = args.pause_fill
    if args.input_size:
        settings["input_size"] = args.input_size
    if args.player_seeds:
        settings["player_seeds"] = args.player_seeds
    config = LiveConfig(**settings)
    if args.run_dir and args.run_root != "charles_runs":
        raise ConfigError("give --run-dir (resume that run) or --run-root (a new run under it), not both")
    with LiveRun(
        config,
        address=args.address,
        run_dir=args.run_dir,
        run_root=args.run_root,
        progress=not args.no_progress,
        log_to_driver=args.ray_logs,
    ) as run:
        result = run.run()
    rewards = [episode["reward"] for episode in result["episodes"]]
    print(
        f"trained {result['batches']:,} batches (batch {result['batch']:,}) in {result['seconds']:.0f} s; "
        f"{result['samples_in']:,} samples in ({result['samples_in_per_s']:.0f}/s); "
        f"{len(rewards)} player episodes" + (f", last reward {rewards[-1]:.0f}" if rewards else "")
    )
    print(f"checkpoint  {result['checkpoint']}\ntensorboard {result['tensorboard']}")
    if args.json:
        print(json.dumps({key: value for key, value in result.items() if key != "history"}))  # losses: TensorBoard
    return 0


def add_live_commands(commands) -> None:
    import attrs

    from charles_core.live.live_config import LiveConfig

    defaults = attrs.fields(LiveConfig)  # the flags' defaults, shown in their help, are the config's
    sub = commands.add_parser("live", help="collectors, a trainer and players together on Ray (docs/live.md)")
    sub.add_argument(
        "line",
        nargs="?",
        default="charles_pilotnet_v2",
        help="the line trained (default charles_pilotnet_v2, the quickstart's)",
    )
    sub.add_argument(
        "--address",
        default=None,
        metavar="HOST:PORT",
        help="join the Ray cluster of `ray start --head` (default: a local Ray instance)",
    )
    sub.add_argument("--collectors", type=arg.non_negative_int, default=2, help="collector processes (default 2)")
    sub.add_argument("--players", type=arg.non_negative_int, default=1, help="player processes (default 1)")
    sub.add_argument("--collector", default="sim", help="the registered collector each process runs (default sim)")
    sub.add_argument(
        "--collector-option",
        action="append",
        type=_option,
        metavar="KEY=VALUE",
        help="an option of the collector's factory, e.g. cars=8 (repeatable)",
    )
    sub.add_argument("--cars", type=arg.positive_int, default=None, help="cars per sim collector (default 4)")
    sub.add_argument(
        "--keep-collecting",
        action="store_true",
        help="collectors never pause (by default they pause while every buffer is nearly full: --pause-fill)",
    )
    sub.add_argument(
        "--pause-fill",
        type=arg.share,
        default=None,
        metavar="SHARE",
        help=(
            "collectors rest while the trainer trains and each buffer holds this share "
            f"(default {defaults.pause_fill.default})"
        ),
    )
    sub.add_argument("--minutes", type=_minutes, default=5.0, help="wall time of the run (default 5; 'none')")
    sub.add_argument("--batches", type=arg.positive_int, default=None, help="stop at this batch count")
    sub.add_argument("--capacity", type=arg.positive_int, default=1500, help="samples per buffer (default 1500)")
    sub.add_argument("--batch-per-buffer", type=arg.positive_int, default=16)
    sub.add_argument("--input-size", type=arg.input_size, default=None, metavar="HxW", help="default 72x96")
    sub.add_argument("--publish-every", type=arg.positive_int, default=50, help="push weights every N batches")
    sub.add_argument("--checkpoint-every", type=arg.positive_int, default=250)
    sub.add_argument(
        "--player-seeds",
        type=arg.seeds,
        default=None,
        help="tracks the players drive, from the evaluation range (default 0-19)",
    )
    sub.add_argument("--player-max-steps", type=arg.positive_int, default=1000, help="steps per player episode")
    sub.add_argument(
        "--player-hz",
        type=arg.non_negative_float,
        default=25.0,
        help="player decisions per second (default 25: real time; 0: as fast as the CPU allows)",
    )
    sub.add_argument(
        "--trainer-gpu",
        choices=("auto", "yes", "no"),
        default="auto",
        help="give the trainer a GPU (auto: when the cluster has one)",
    )
    sub.add_argument(
        "--trainer-resource",
        default=None,
        metavar="NAME",
        help="place the trainer on a node offering this custom resource (`ray start --resources`)",
    )
    sub.add_argument("--collector-resource", default=None, metavar="NAME", help="the same for each collector")
    sub.add_argument("--player-resource", default=None, metavar="NAME", help="the same for each player")
    sub.add_argument("--call-timeout", type=arg.positive_float, default=60.0, help="longest wait for one call (s)")
    sub.add_argument(
        "--start-timeout",
        type=arg.positive_float,
        default=300.0,
        help="longest wait for a process to start or restart (s)",
    )
    sub.add_argument("--run-dir", default=None, help="resume this run directory (its buffers and last checkpoint)")
    sub.add_argument("--run-root", type=arg.writable_directory, default="charles_runs")
    sub.add_argument("--seed", type=arg.seed, default=0)
    sub.add_argument(
        "--weight-average",
        type=arg.momentum_or_off,
        default=0.0,
        metavar="MOMENTUM",
        help="checkpoints and published weights hold a moving average of the weights, e.g. 0.99 (default 0: off)",
    )
    sub.add_argument("--ray-logs", action="store_true", help="show the Ray processes' output")
    sub.add_argument("--no-progress", action="store_true")
    sub.add_argument("--json", action="store_true", help="print the result as one JSON line at the end")
    sub.set_defaults(func=cmd_live)
