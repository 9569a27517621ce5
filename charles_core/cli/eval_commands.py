"""``charles eval``: a checkpoint, the NPC and the constant baseline on the same unseen tracks."""

from __future__ import annotations

import json
from pathlib import Path

from charles_core.common import arguments as arg
from charles_core.errors import ConfigError
from charles_core.sim.car_racing_config import TRACTION_CONTROL
from charles_core.sim.track_split import EVALUATION_SEED_STOP

DEFAULT_TRACKS = 20


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"0-19"``, ``"1,2,3"`` or a mix (``"0-9,15"``) as a tuple of seeds; ranges include both ends.

    Raises:
        ConfigError: a part is not an integer or a range runs backwards.
    """
    seeds = []
    for part in (p.strip() for p in str(text).split(",")):
        if not part:
            continue
        first, dash, last = part.partition("-")
        try:
            low, high = (int(first), int(last)) if dash else (int(part), int(part))
        except ValueError:
            raise ConfigError(
                f"--seeds takes A-B or comma-separated seeds (e.g. 0-19 or 1,2,3); got {text!r}"
            ) from None
        if high < low:
            raise ConfigError(f"--seeds range {part!r} runs backwards; write LOW-HIGH, e.g. 0-19")
        if high - low >= EVALUATION_SEED_STOP:  # refused below anyway; this keeps a typo from filling memory
            raise ConfigError(f"--seeds range {part!r} is longer than the {EVALUATION_SEED_STOP:,} evaluation tracks")
        seeds.extend(range(low, high + 1))
    if not seeds:
        raise ConfigError(f"--seeds names no track; got {text!r}")
    return tuple(seeds)


def _seeds(args) -> tuple[int, ...]:
    from charles_core.sim.track_split import check_evaluation_seeds, evaluation_seeds

    if args.seeds is not None:
        return check_evaluation_seeds(parse_seeds(args.seeds))
    if args.tracks is not None and args.tracks <= 0:
        raise ConfigError(f"--tracks must be a positive integer (the number of evaluation tracks); got {args.tracks}")
    return evaluation_seeds(DEFAULT_TRACKS if args.tracks is None else args.tracks)


def cmd_eval(args):
    from charles_core.collect.model_policy import ModelPolicy
    from charles_core.driving.drive import checkpoint_line, frame_input_size, load_line_model
    from charles_core.driving.unstuck_config import UnstuckConfig
    from charles_core.evaluation.bootstrap import Bootstrap
    from charles_core.evaluation.drivers import evaluate_drivers
    from charles_core.evaluation.eval_chart import plot_evaluation
    from charles_core.sim.evaluate import ConstantPolicy
    from charles_core.sim.expert_driver import ExpertDriver

    seeds = _seeds(args)  # bad seeds fail before the model loads
    if args.resamples < 100:
        raise ConfigError(f"--resamples must be at least 100 (10,000 keeps the bounds stable); got {args.resamples}")
    bootstrap = Bootstrap(resamples=args.resamples)
    checkpoint = Path(args.checkpoint)
    line_id = checkpoint_line(checkpoint)
    if args.line is not None and line_id != args.line:
        raise ConfigError(f"checkpoint {checkpoint} is of line {line_id}, not {args.line}")
    model = load_line_model(checkpoint)
    input_size = frame_input_size(model)
    if input_size is None:
        raise ConfigError(f"{model.charles_line.name} takes no frame; charles eval drives from the simulator's frames")
    drivers = {"charles": ModelPolicy(model, input_size)}
    if not args.no_npc:
        drivers["npc"] = ExpertDriver(max_speed=args.npc_speed)
    if not args.no_baseline:
        drivers["baseline"] = ConstantPolicy()
    report = evaluate_drivers(
        drivers,
        seeds,
        reference=None if args.no_npc else "npc",
        max_steps=args.max_steps,
        action_repeat=args.action_repeat,
        bootstrap=bootstrap,
        unstuck=UnstuckConfig() if args.unstuck else None,
        traction_control=args.traction_control,
        progress=not args.no_progress,
    )
    chart = None
    if not args.no_chart:
        directory = Path(args.chart_dir) if args.chart_dir is not None else checkpoint.parent
        name = f"{checkpoint.stem}-eval-{len(seeds)}tracks.png"
        chart = plot_evaluation(report, directory / name, title=f"{checkpoint.name} on {len(seeds)} unseen tracks")
    if args.json:
        print(
            json.dumps(
                {
                    "checkpoint": str(checkpoint),
                    "line": line_id,
                    "input_size": list(input_size),
                    **report.to_dict(),
                    "chart": chart,
                }
            )
        )
        return 0
    print(report.track_table())
    print()
    print(report.table())
    if chart is not None:
        print(f"chart: {chart}")
    return 0


def add_eval_commands(commands) -> None:
    sub = commands.add_parser(
        "eval",
        help="score a checkpoint, the NPC and a constant baseline on the same unseen tracks, with 95%% CIs",
        description="Drive a checkpoint, the scripted NPC and the full-throttle baseline on the same evaluation "
        "tracks (seeds 0-99,999; training uses 100,000 and up) and report per track the reward, lap "
        "completion, off-road time, unstucks and driving score, the means with 95% bootstrap "
        "intervals, and the checkpoint against the NPC track by track. See docs/evaluation.md.",
    )
    sub.add_argument(
        "line", nargs="?", default=None, help="the checkpoint's line id (optional: read from the checkpoint's name)"
    )
    sub.add_argument("--checkpoint", required=True, help="a .keras checkpoint written by the trainer")
    tracks = sub.add_mutually_exclusive_group()
    tracks.add_argument(
        "--tracks",
        type=int,
        default=None,
        metavar="N",
        help=f"evaluate on evaluation seeds 0..N-1 (default {DEFAULT_TRACKS})",
    )
    tracks.add_argument(
        "--seeds",
        default=None,
        metavar="A-B|S,S,...",
        help="evaluation seeds: a range (0-19, both ends included) or a list (1,2,3)",
    )
    sub.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    sub.add_argument(
        "--chart-dir", default=None, metavar="DIR", help="folder for the PNG chart (default: the checkpoint's folder)"
    )
    sub.add_argument("--no-chart", action="store_true", help="write no chart")
    sub.add_argument("--no-npc", action="store_true", help="leave out the NPC (and the paired comparison)")
    sub.add_argument("--no-baseline", action="store_true", help="leave out the constant full-throttle baseline")
    sub.add_argument(
        "--npc-speed",
        type=arg.positive_float,
        default=65.0,
        help="the NPC's top speed in world units/s (default 65, as the quickstart's NPC)",
    )
    sub.add_argument(
        "--max-steps", type=arg.positive_int, default=1000, help="physics steps per episode (default 1000)"
    )
    sub.add_argument(
        "--action-repeat",
        type=arg.positive_int,
        default=2,
        help="physics steps per prediction (default 2: 25 Hz, as the quickstart trains)",
    )
    sub.add_argument(
        "--unstuck",
        action="store_true",
        help="move a car that stopped moving back onto the track (counted and penalised)",
    )
    sub.add_argument(
        "--traction-control",
        type=arg.positive_or_off,
        default=TRACTION_CONTROL,
        metavar="SLIP|off",
        help=f"the simulated car's traction control: the rear-wheel slip (world units/s) above which it cuts "
        f"the gas, for every driver (default {TRACTION_CONTROL}); off: CarRacing's own car",
    )
    sub.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples (default 10,000)")
    sub.add_argument("--no-progress", action="store_true", help="no progress bar")
    sub.set_defaults(func=cmd_eval)
