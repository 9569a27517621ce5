"""``charles train`` and ``charles quickstart``."""

from __future__ import annotations

import argparse
import json

from charles_core.frames import parse_size


def _size(text):
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _seeds(text):
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must be comma-separated integers; got {text!r}") from None


def cmd_quickstart(args):
    from charles_core.quickstart import QuickstartConfig, print_table, run_quickstart

    config = QuickstartConfig(
        train_minutes=args.minutes, max_batches=args.batches, capacity=args.capacity,
        eval_seeds=args.eval_seeds, eval_steps=args.eval_steps, run_root=args.run_root, seed=args.seed,
        **({"line": args.line} if args.line else {}),
        **({"input_size": args.input_size} if args.input_size else {}),
    )
    result = run_quickstart(config, progress=not args.no_progress)
    print_table(result)


def cmd_train(args):
    import shutil

    import attrs

    from charles_core.cli import _parse_sources
    from charles_core.models import get_line
    from charles_core.training.buffer_feed import BufferFeed
    from charles_core.training.dataset_feeder import DatasetFeeder
    from charles_core.training.data_pipeline import (default_run_dir, fill_buffers,
                                                     make_balancer, make_buffers, make_sim_collector)
    from charles_core.training.trainer import Trainer
    from charles_core.training.training_config import TrainingConfig

    config = TrainingConfig(batch_per_buffer=args.batch_per_buffer, checkpoint_every=args.checkpoint_every,
                            strategy=args.strategy, seed=args.seed, progress=not args.no_progress)
    if args.resume:
        from charles_core.training.checkpoints import resume_target
        from charles_core.training.checkpoint_info import model_frame_size

        # the checkpoint's own line and run: a named line, --backbone or --input-size must match it
        line, run_dir = resume_target(args.resume, line=args.line, backbone=args.backbone,
                                      input_size=args.input_size)
        run_dir = run_dir or default_run_dir(args.run_root, line.name)
        print(f"run directory: {run_dir} (resumed)")
        trainer = Trainer(args.line, run_dir, input_size=args.input_size, config=config, resume=args.resume,
                          backbone=args.backbone)
        # a resumed model keeps the input size it was trained at
        input_size = model_frame_size(trainer.model) or args.input_size or trainer.line.input_size
        print(f"resumed {trainer.line.name} at batch {trainer.batch:,}")
    else:
        if args.line is None:
            from charles_core.errors import ConfigError

            raise ConfigError("name the line to train (`charles lines`), or a checkpoint to continue with --resume")
        line = get_line(args.line, args.backbone)
        # the run's buffer settings go into the line config every checkpoint carries, so a resume keeps them
        line = attrs.evolve(line, **{k: v for k, v in (("buffer_capacity", args.capacity),
                                                         ("batch_per_buffer", args.batch_per_buffer)) if v})
        input_size = args.input_size or line.input_size
        run_dir = default_run_dir(args.run_root, line.name)
        print(f"run directory: {run_dir}")
        trainer = Trainer(line, run_dir, input_size=input_size, config=config, sources=_parse_sources(args.source))
    balancer = make_balancer(trainer.line, bins=args.bins or ("coarse" if args.data == "sim" else "spec"))
    buffers = make_buffers(trainer.line, run_dir / "buffers", input_size, balancer, args.capacity)
    found = sum(buffers.counts().values())
    if found:  # a resumed run's buffers: training starts with what a killed trainer had collected
        print(f"reopened {run_dir / 'buffers'}: {found:,} samples found")
    if args.data == "sim":
        feeder = make_sim_collector(trainer.line, input_size, balancer, buffers, args.seeds, args.seed)
    else:
        from charles_core.data.recorded_dataset import RecordedDataset

        feeder = DatasetFeeder(RecordedDataset(args.data), trainer.line, input_size, balancer, buffers)
    fill_buffers(feeder, buffers, progress=not args.no_progress)
    result = trainer.train(BufferFeed(buffers, refill=feeder.refill, seed=args.seed),
                           until_batch=trainer.batch + args.batches if args.resume else args.batches,
                           time_limit_s=args.minutes * 60 if args.minutes else None)
    buffers.close()
    if not args.keep_buffers:
        shutil.rmtree(run_dir / "buffers")
    print(json.dumps({"line": trainer.line.name, "batch": trainer.batch, "checkpoint": result["checkpoint"],
                      "samples_per_s": round(result["samples_per_s"], 1), "losses": result["final_losses"],
                      "tensorboard": str(run_dir / "logs")}))


def add_training_commands(commands) -> None:
    sub = commands.add_parser("quickstart", help="the whole loop on the embedded simulator, on a CPU (~15 min)")
    sub.add_argument("--line", default=None, help="the line trained (default charles_pilotnet_v2)")
    sub.add_argument("--minutes", type=float, default=7.0, help="training time budget (default 7)")
    sub.add_argument("--batches", type=int, default=None, help="stop training at this many batches")
    sub.add_argument("--capacity", type=int, default=1500, help="samples per buffer (default 1500)")
    sub.add_argument("--input-size", type=_size, default=None, metavar="HxW", help="default 72x96")
    sub.add_argument("--eval-seeds", type=_seeds, default=(0, 1, 2, 3, 4), help="unseen tracks (default 0-4)")
    sub.add_argument("--eval-steps", type=int, default=1000, help="physics steps per evaluation episode")
    sub.add_argument("--run-root", default="charles_runs", help="where run directories go")
    sub.add_argument("--seed", type=int, default=0)
    sub.add_argument("--no-progress", action="store_true", help="no progress bars")
    sub.set_defaults(func=cmd_quickstart)

    sub = commands.add_parser("train", help="train a line on the simulator or a recorded dataset")
    sub.add_argument("line", nargs="?", default=None,
                     help="a line id from `charles lines` (optional with --resume: the checkpoint's, checked)")
    sub.add_argument("--data", default="sim", help="'sim' (the NPC on the simulator) or a recording's directory")
    sub.add_argument("--input-size", type=_size, default=None, metavar="HxW")
    sub.add_argument("--batches", type=int, default=1000, help="batches to train (more after --resume)")
    sub.add_argument("--minutes", type=float, default=None, help="stop after this long")
    sub.add_argument("--resume", default=None, metavar="CHECKPOINT",
                     help="continue from a .keras checkpoint, in its run directory (its buffers reused)")
    sub.add_argument("--backbone", default=None, help="train the line on another registered backbone")
    sub.add_argument("--source", action="append", metavar="PART=PATH", help="file for a recipe step (0009)")
    sub.add_argument("--capacity", type=int, default=None, help="samples per buffer (default: the line's 25,000)")
    sub.add_argument("--batch-per-buffer", type=int, default=None)
    sub.add_argument("--bins", choices=("spec", "coarse"), default=None,
                     help="balancing bins (default: coarse on the simulator, spec on recordings)")
    sub.add_argument("--seeds", type=_seeds, default=tuple(range(100, 160)), help="simulator tracks for data")
    sub.add_argument("--checkpoint-every", type=int, default=1000)
    sub.add_argument("--strategy", choices=("default", "mirrored", "multi_worker"), default="default")
    sub.add_argument("--run-root", default="charles_runs")
    sub.add_argument("--keep-buffers", action="store_true", help="keep the buffer files after training")
    sub.add_argument("--seed", type=int, default=0)
    sub.add_argument("--no-progress", action="store_true")
    sub.set_defaults(func=cmd_train)
