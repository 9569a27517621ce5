"""Which quickstart variant holds the road on unseen tracks: train one, score it, append a JSON line.

Each run trains the quickstart's line for a FIXED number of batches (so CPU
contention does not change the result), then drives it on a fixed set of
unseen tracks (seeds 1000-1019 by default, never a training seed) and appends
one JSON line to ``benchmarks/results/recovery.jsonl``: lap completion,
mean reward, the NPC's mean on the same tracks, their ratio, and the batches.
The NPC's scores are computed once per seed set and cached in
``benchmarks/results/recovery_npc.json``.

Usage:

```bash
.venv/bin/python benchmarks/recovery_experiments.py train dart --batches 2000
.venv/bin/python benchmarks/recovery_experiments.py drive CHECKPOINT.keras --name dart+cap --max-speed 55
.venv/bin/python benchmarks/recovery_experiments.py list
```

The variants and their results are in docs/recovery.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"

#: QuickstartConfig overrides of each variant (the quickstart's defaults are "base" at the time of the run).
VARIANTS = {
    # the quickstart before this work: short, small perturbations (6 steps, offset up to 0.6, 3% per step)
    "before": dict(
        perturb_probability=0.03,
        perturb_steps=6,
        perturb_min_steps=0,
        perturb_steering=0.6,
        perturb_min_steering=0.0,
        dagger_rounds=0,
    ),
    # DART-style: rarer, longer, stronger steering offsets that take the car to the road's edge and beyond
    "dart": dict(
        perturb_probability=0.02,
        perturb_steps=20,
        perturb_min_steps=8,
        perturb_steering=0.6,
        perturb_min_steering=0.2,
        dagger_rounds=0,
    ),
    "dart_strong": dict(
        perturb_probability=0.03,
        perturb_steps=25,
        perturb_min_steps=10,
        perturb_steering=0.8,
        perturb_min_steering=0.3,
        dagger_rounds=0,
    ),
    # edge: rare, short, small offsets: the car reaches the road's edge and the NPC brings it back while the
    # road is still in view (the "before" offsets put the NPC off the road 38% of the time, often far out)
    "edge": dict(
        perturb_probability=0.01,
        perturb_steps=5,
        perturb_min_steps=2,
        perturb_steering=0.3,
        perturb_min_steering=0.1,
        dagger_rounds=0,
    ),
    # the quickstart's defaults as they are now
    "default": dict(),
    # larger buffers: batches drawn from 4x more samples, so from more tracks and moments than the last seconds
    "big6000": dict(capacity=6000),
    # a faster NPC: more slack within the 1,000 steps, a harder teacher to follow
    "fast80": dict(npc_max_speed=80.0),
    # the default, its learning rate decaying (half cosine) to a tenth over the batches
    "decay": dict(final_learning_fraction=0.1),
    # checkpoints hold a moving average of the weights (about the last 100 / 400 batches)
    "ema99": dict(weight_average=0.99),
    "ema9975": dict(weight_average=0.9975),
    # the moving average and half the learning rate (the weights wander less between checkpoints?)
    "ema99_lr5e4": dict(weight_average=0.99, learning_rate=5e-4),
    # no perturbation at all: pure behaviour cloning of the NPC
    "clean": dict(perturb_probability=0.0, dagger_rounds=0),
    # DAgger: after 40% of the batches, the latest Charles drives 4 of the 8 cars, the NPC labels
    "dagger": dict(
        perturb_probability=0.03,
        perturb_steps=6,
        perturb_min_steps=0,
        perturb_steering=0.6,
        perturb_min_steering=0.0,
        dagger_rounds=3,
        dagger_cars=4,
        npc_share=0.4,
    ),
    "dart_dagger": dict(
        perturb_probability=0.02,
        perturb_steps=20,
        perturb_min_steps=8,
        perturb_steering=0.6,
        perturb_min_steering=0.2,
        dagger_rounds=3,
        dagger_cars=4,
        npc_share=0.4,
    ),
}


def _seeds(text: str) -> tuple[int, ...]:
    if "-" in text:
        first, last = (int(part) for part in text.split("-"))
        return tuple(range(first, last + 1))
    return tuple(int(part) for part in text.split(","))


def npc_scores(seeds, npc_max_speed: float) -> dict:
    """The NPC's per-seed rewards on ``seeds`` (cached)."""
    from charles_core.sim.car_racing_config import TRACTION_CONTROL
    from charles_core.sim.evaluate import evaluate
    from charles_core.sim.expert_driver import ExpertDriver

    cache = RESULTS / "recovery_npc.json"
    stored = json.loads(cache.read_text()) if cache.exists() else {}
    # keys without the traction suffix were measured on CarRacing's own car
    key = f"{min(seeds)}-{max(seeds)}x{len(seeds)}@{npc_max_speed}/traction{TRACTION_CONTROL}"
    if key not in stored:
        result = evaluate(ExpertDriver(max_speed=npc_max_speed), seeds, action_repeat=2)
        stored[key] = {
            "per_seed": {str(k): v for k, v in result["per_seed"].items()},
            "lap_finished": {str(k): v for k, v in result["lap_finished"].items()},
        }
        RESULTS.mkdir(exist_ok=True)
        cache.write_text(json.dumps(stored, indent=1))
    return stored[key]


def drive(
    model,
    input_size,
    seeds,
    max_speed: float | None = None,
    action_repeat: int = 2,
    mirror_average: bool = False,
    ensemble=(),
) -> dict:
    from charles_core.collect.model_policy import ModelPolicy
    from charles_core.sim.evaluate import evaluate

    predictor = None
    if ensemble:
        from charles_core.runtimes.ensemble_predictor import EnsemblePredictor
        from charles_core.runtimes.inference import CompiledPredictor

        predictor = EnsemblePredictor([CompiledPredictor(m) for m in (model, *ensemble)])
    policy = ModelPolicy(model, input_size, max_speed=max_speed, mirror_average=mirror_average, predictor=predictor)
    return evaluate(policy, seeds, reset_policy=policy.reset, action_repeat=action_repeat)


def record(name: str, charles: dict, npc: dict, extra: dict) -> dict:
    import numpy as np

    seeds = list(charles["per_seed"])
    rewards = np.array([charles["per_seed"][s] for s in seeds])
    npc_rewards = np.array([npc["per_seed"][str(s)] for s in seeds])
    laps = np.array([charles["lap_finished"][s] for s in seeds])
    row = {
        "variant": name,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "seeds": f"{min(seeds)}-{max(seeds)}",
        "laps": f"{int(laps.sum())}/{len(seeds)}",
        "lap_rate": round(float(laps.mean()), 3),
        "charles_mean": round(float(rewards.mean()), 1),
        "npc_mean": round(float(npc_rewards.mean()), 1),
        "ratio": round(float(rewards.mean() / npc_rewards.mean()), 3),
        **extra,
        "per_seed": {str(s): charles["per_seed"][s] for s in seeds},
    }
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "recovery.jsonl", "a") as handle:
        handle.write(json.dumps(row) + "\n")
    return row


def _evaluate_last(trainer, args, config, name, extra, started) -> int:
    from charles_core.driving.drive import load_line_model
    from charles_core.training.checkpoints import list_checkpoints

    npc = npc_scores(args.seeds, config.npc_max_speed)
    candidates = list_checkpoints(trainer.checkpoint_dir, trainer.line.name)[-args.evaluate_last :]
    for batch, path in candidates:
        charles = drive(load_line_model(path), config.input_size, args.seeds)
        row = record(
            name,
            charles,
            npc,
            {
                **extra,
                "checkpoint": str(path),
                "checkpoint_batch": batch,
                "seconds": round(time.perf_counter() - started),
            },
        )
        print(json.dumps({k: v for k, v in row.items() if k != "per_seed"}), flush=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a variant and score it")
    train.add_argument("variant", choices=sorted(VARIANTS))
    train.add_argument("--batches", type=int, default=2000)
    train.add_argument("--seeds", type=_seeds, default=tuple(range(1000, 1020)), help="evaluation seeds, a-b or a,b")
    train.add_argument("--run-root", default="/tmp/recovery_runs")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--evaluate-last",
        type=int,
        default=1,
        help="evaluate each of the last N checkpoints (one row each; their spread is the checkpoint lottery)",
    )
    again = commands.add_parser("drive", help="score a trained checkpoint with evaluation-side options")
    again.add_argument("checkpoint")
    again.add_argument("--name", required=True)
    again.add_argument("--seeds", type=_seeds, default=tuple(range(1000, 1020)))
    again.add_argument("--max-speed", type=float, default=None, help="Charles never throttles above this speed")
    again.add_argument("--action-repeat", type=int, default=2)
    again.add_argument("--mirror-average", action="store_true", help="average with the mirrored prediction")
    again.add_argument(
        "--average-with", nargs="*", default=(), help="more checkpoints of the run whose weights are averaged in"
    )
    again.add_argument(
        "--ensemble-with", nargs="*", default=(), help="more checkpoints whose predictions are averaged in"
    )
    commands.add_parser("list", help="the recorded results")
    args = parser.parse_args(argv)

    from charles_core.recipes.quickstart import QuickstartConfig

    if args.command == "list":
        for text in (RESULTS / "recovery.jsonl").read_text().splitlines():
            row = json.loads(text)
            print(
                f"{row['variant']:<22}{row['laps']:>7}{row['charles_mean']:>9}{row['npc_mean']:>9}{row['ratio']:>7}"
                f"{row.get('batches', ''):>7}"
            )
        return 0
    if args.command == "train":
        from charles_core.collect.data_pipeline import default_run_dir
        from charles_core.recipes.quickstart import train_charles

        config = QuickstartConfig(
            max_batches=args.batches,
            train_minutes=600,
            run_root=args.run_root,
            seed=args.seed,
            prefetch_nice=0,
            training_path="in-process",  # train_charles: DAgger and learning-rate variants are in-process only
            **VARIANTS[args.variant],
        )
        run_dir = default_run_dir(args.run_root, f"recovery-{args.variant}")
        started = time.perf_counter()
        trained = train_charles(config, run_dir, progress=False, log=lambda *a: print(*a, flush=True))
        model, input_size = trained["trainer"].model, config.input_size
        extra = {
            "batches": trained["trainer"].batch,
            "npc_steps": trained["npc_steps"],
            "checkpoint": str(trained["trainer"].last_checkpoint),
            "seed": args.seed,
        }
        name = args.variant
        if args.evaluate_last > 1:
            return _evaluate_last(trained["trainer"], args, config, name, extra, started)
    else:
        from charles_core.driving.drive import frame_input_size, load_line_model

        model = load_line_model(args.checkpoint)
        if args.average_with:
            weights = [model.get_weights()] + [load_line_model(p).get_weights() for p in args.average_with]
            model.set_weights([sum(group) / len(group) for group in zip(*weights)])
        input_size = frame_input_size(model)
        config = QuickstartConfig()
        started = time.perf_counter()
        extra = {
            "checkpoint": args.checkpoint,
            "max_speed": args.max_speed,
            "action_repeat": args.action_repeat,
            "mirror_average": args.mirror_average,
            "average_with": list(args.average_with),
            "ensemble_with": list(args.ensemble_with),
        }
        name = args.name
    charles = drive(
        model,
        input_size,
        args.seeds,
        getattr(args, "max_speed", None),
        getattr(args, "action_repeat", 2),
        getattr(args, "mirror_average", False),
        [load_line_model(p) for p in getattr(args, "ensemble_with", ())],
    )
    npc = npc_scores(args.seeds, config.npc_max_speed)
    row = record(name, charles, npc, {**extra, "seconds": round(time.perf_counter() - started)})
    print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
