"""The quickstart's whole recipe on the in-process path and on the live path, in the same wall time.

Usage (prints one JSON line per training seed, then a summary line)::

    python benchmarks/quickstart_paths.py --seeds 0,1 --minutes 5 --out results/quickstart_paths.json

For each training seed, one after the other on an idle machine:

1. **In-process** (``charles quickstart``'s training): ``train_charles`` with the quickstart's
   defaults (8 NPC cars, perturbations, buffers of 1,500, weight average 0.99, a checkpoint every
   250 batches) for ``--minutes`` of training; its wall time counts from the first simulator
   step (the fill and the model's construction included) to the last checkpoint.
2. **Live** (``charles quickstart --path live``'s training, ``train_charles_live``): 2 collector
   processes of 4 cars with the same NPC, perturbations and balancing, the trainer with the same
   buffers, weight average and checkpoints, no player, for the in-process path's wall time, counted
   from the moment every process is up (Ray's and the processes' start and the stop, 20-30 s here,
   are reported apart: ``start_s``).
3. Both runs then do what the quickstart does after training: the last 4 checkpoints drive the 12
   validation tracks, the best drives the 20 evaluation tracks (0-19, never collected on), with 95%
   intervals on laps and reward.

"Drives at least as well" is read on the evaluation tracks, per seed and over the seeds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path


def _select_and_evaluate(trainer, config, tracks: int) -> dict:
    from charles_core.collect.model_policy import ModelPolicy
    from charles_core.driving.drive import load_line_model
    from charles_core.evaluation.drivers import evaluate_drivers
    from charles_core.recipes.quickstart import choose_checkpoint
    from charles_core.sim.track_split import evaluation_seeds
    from charles_core.training.checkpoints import parse_checkpoint_name

    chosen, validation = choose_checkpoint(config, trainer, log=lambda *_: None)  # as the quickstart chooses
    policy = ModelPolicy(load_line_model(chosen), config.input_size)
    report = evaluate_drivers(
        {"charles": policy}, evaluation_seeds(tracks), reference=None, max_steps=config.eval_steps, progress=False
    )
    summary = report.summary("charles")
    return {
        "chosen_batch": parse_checkpoint_name(chosen)[1],
        "validation_laps": [score["laps"] for score in validation],
        "laps": sum(row.lap_completed for row in report.tracks["charles"]),
        "tracks": tracks,
        "lap_completion": summary["lap_completion"].to_dict(),
        "reward": summary["reward"].to_dict(),
    }


def in_process(seed: int, minutes: float, work: Path, tracks: int) -> dict:
    from charles_core.recipes.quickstart import QuickstartConfig, train_charles

    config = QuickstartConfig(seed=seed, train_minutes=minutes, training_path="in-process")
    run_dir = work / f"in_process-{seed}"
    run_dir.mkdir(parents=True)
    started = time.monotonic()
    trained = train_charles(config, run_dir, progress=False, log=lambda *_: None)
    wall = time.monotonic() - started
    trainer = trained["trainer"]
    result = {"batches": trainer.batch, "wall_s": round(wall, 1), "npc_steps": trained["npc_steps"]}
    result.update(_select_and_evaluate(trainer, config, tracks))
    return result


def live(seed: int, seconds: float, work: Path, tracks: int) -> dict:
    from charles_core.recipes.quickstart import QuickstartConfig, train_charles_live

    config = QuickstartConfig(seed=seed, train_minutes=seconds / 60, training_path="live")
    run_dir = work / f"live-{seed}"
    run_dir.mkdir(parents=True)
    began = time.monotonic()
    trained = train_charles_live(config, run_dir, progress=False, log=lambda *_: None)
    trainer = trained["trainer"]
    result = {
        "batches": trainer.batch,
        "wall_s": trained["train_seconds"],
        "start_s": round(time.monotonic() - began - trained["train_seconds"], 1),  # Ray, the processes, the stop
        "npc_steps": trained["npc_steps"],
    }
    result.update(_select_and_evaluate(trainer, config, tracks))
    return result


def main(argv=None) -> int:
    from charles_core.common import arguments as arg

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=arg.seeds, default=(0, 1), help="training seeds (default 0,1)")
    parser.add_argument("--minutes", type=arg.positive_float, default=5.0, help="the quickstart's training minutes")
    parser.add_argument("--tracks", type=arg.positive_int, default=20, help="evaluation tracks (0..N-1)")
    parser.add_argument("--out", type=Path, default=None, help="also write every line to this JSON-lines file")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="charles-quickstart-paths-"))
    rows = []
    try:
        for seed in args.seeds:
            first = in_process(seed, args.minutes, work, args.tracks)
            print(json.dumps({"seed": seed, "in_process": first}), flush=True)  # kept if the live part fails
            second = live(seed, first["wall_s"], work, args.tracks)
            row = {"seed": seed, "minutes": args.minutes, "in_process": first, "live": second}
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = {
        "summary": True,
        "seeds": list(args.seeds),
        **{
            path: {
                "laps": sum(row[path]["laps"] for row in rows),
                "tracks": sum(row[path]["tracks"] for row in rows),
                "batches": [row[path]["batches"] for row in rows],
                "mean_reward": [row[path]["reward"]["mean"] for row in rows],
            }
            for path in ("in_process", "live")
        },
    }
    print(json.dumps(summary), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(line) + "\n" for line in [*rows, summary]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
