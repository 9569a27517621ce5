"""``charles train`` and ``charles quickstart``."""

from __future__ import annotations

import argparse
import json

from charles_core.common import arguments as arg
from charles_core.sim.track_split import training_seeds


def _data_source(text: str) -> str:
    """``sim`` or a recording's directory (checked to exist here; its contents when opened, before allocating)."""
    import os

    if text == "sim":
        return text
    if not text or not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"must be 'sim' or a recording's directory; {text!r} is not a directory")
    return text


def cmd_quickstart(args):
    from charles_core.cli.eval_commands import parse_seeds
    from charles_core.recipes.quickstart import QuickstartConfig, print_table, run_quickstart, validation_seeds

    given = {  # flags left out keep QuickstartConfig's defaults: they live there only
        "train_minutes": args.minutes,
        "max_batches": args.batches,
        "capacity": args.capacity,
        "eval_steps": args.eval_steps,
        "select_from": args.select_from,
        "checkpoint_every": args.checkpoint_every,
        "weight_average": args.weight_average,
        "validation_seeds": validation_seeds(args.validation_tracks) if args.validation_tracks else None,
        "eval_seeds": parse_seeds(args.eval_seeds) if args.eval_seeds else None,
        "line": args.line,
        "input_size": args.input_size,
        "training_path": args.path,
    }
    settings = {key: value for key, value in given.items() if value is not None}
    if args.weight_average == 0:
        settings["weight_average"] = None  # asked for: the raw weights
    config = QuickstartConfig(run_root=args.run_root, seed=args.seed, **settings)
    result = run_quickstart(config, progress=not args.no_progress)
    print_table(result)


def cmd_train(args):
    """``charles train``: everything is validated before the run directory and buffers exist; a failed start
    removes the run directory it made unless it holds a checkpoint; a full disk is a StorageError."""
    import errno
    import os

    from charles_core.errors import StorageError

    started = []  # the run directory a fresh start made
    root_existed = os.path.isdir(args.run_root)
    try:
        return _train(args, started)
    except BaseException as error:
        for run_dir in started:
            _remove_if_useless(run_dir)
        if not root_existed and os.path.isdir(args.run_root) and not os.listdir(args.run_root):
            os.rmdir(args.run_root)  # made by this failed start
        if isinstance(error, OSError) and error.errno == errno.ENOSPC and not isinstance(error, StorageError):
            where = started[0] if started else args.run_root
            raise StorageError(
                f"no space left on the device of {where} ({_free_gib(where):.2f} GiB free) while "
                "training: free some space, lower --capacity, or choose another --run-root"
            ) from error
        raise


def _free_gib(path) -> float:
    import shutil
    from pathlib import Path

    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free / 2**30


def _remove_if_useless(run_dir) -> None:
    """Remove a fresh run's directory unless a checkpoint was written into it (a finished run always has one)."""
    import shutil

    from charles_core.training.checkpoints import CHECKPOINT_DIR, list_checkpoints

    if run_dir.is_dir() and not list_checkpoints(run_dir / CHECKPOINT_DIR):
        shutil.rmtree(run_dir, ignore_errors=True)


def _check_before_allocating(line, input_size, args, dataset=None) -> None:
    """What would fail after the run directory and buffers exist, checked before: input size against the
    backbone, the --source files, the disk space the buffers reserve."""
    import os

    from charles_core import plugins
    from charles_core.cli.commands import _parse_sources
    from charles_core.collect.data_pipeline import buffer_bytes, make_balancer
    from charles_core.errors import ConfigError, StorageError
    from charles_core.models.model_builder import check_input_size

    check_input_size(line, plugins.backbones.get(line.backbone), input_size)
    if args.data == "sim":
        from charles_core.sim.track_split import check_training_seeds

        check_training_seeds(args.seeds)  # evaluation tracks are never driven for data
        plugins.environments.get(args.environment)
    for part, path in _parse_sources(args.source).items():
        if not os.path.isfile(path):
            raise ConfigError(f"--source {part}={path}: no such file")
    if line.batch_per_buffer > line.buffer_capacity:
        raise ConfigError(
            f"--batch-per-buffer {line.batch_per_buffer} is more than a buffer holds (--capacity "
            f"{line.buffer_capacity}): raise --capacity or lower --batch-per-buffer"
        )
    balancer = make_balancer(line, bins=args.bins or ("coarse" if args.data == "sim" else "spec"))
    if dataset is not None:  # a recording that can never fill these bins is refused before buffers exist
        from charles_core.collect.dataset_feeder import check_recording_fills

        check_recording_fills(dataset, balancer, line.buffer_capacity)
    need = buffer_bytes(line, input_size, balancer, args.capacity) / 2**30
    free = _free_gib(args.run_root)
    if need > free:
        raise StorageError(
            f"the buffers need {need:.2f} GiB ({len(balancer.buffer_names)} x "
            f"{args.capacity or line.buffer_capacity:,} samples at {input_size[0]}x{input_size[1]}) "
            f"and {args.run_root} has {free:.2f} GiB free: lower --capacity or --input-size, "
            "or choose another --run-root"
        )


def _train(args, started: list):
    import shutil

    import attrs

    from charles_core.cli.commands import _parse_sources
    from charles_core.collect.buffer_feed import BufferFeed
    from charles_core.collect.data_pipeline import (
        default_run_dir,
        fill_buffers,
        make_balancer,
        make_buffers,
        make_sim_collector,
    )
    from charles_core.collect.dataset_feeder import DatasetFeeder
    from charles_core.models import get_line
    from charles_core.training.trainer import Trainer
    from charles_core.training.training_config import TrainingConfig

    config = TrainingConfig(
        batch_per_buffer=args.batch_per_buffer,
        checkpoint_every=args.checkpoint_every,
        strategy=args.strategy,
        seed=args.seed,
        progress=not args.no_progress,
        weight_average=args.weight_average or None,  # 0: off
    )
    dataset = None
    if args.data != "sim":  # opened (and validated) before the run directory and buffers exist
        from charles_core.data.recorded_dataset import RecordedDataset

        dataset = RecordedDataset(args.data)
    if args.resume:
        from charles_core.training.checkpoint_info import model_frame_size
        from charles_core.training.checkpoints import resume_target

        # the checkpoint's own line and run: a named line, --backbone or --input-size must match it
        line, run_dir = resume_target(args.resume, line=args.line, backbone=args.backbone, input_size=args.input_size)
        if run_dir is None:  # a checkpoint kept outside a run: a new run (removed if the start fails)
            run_dir = default_run_dir(args.run_root, line.name)
            started.append(run_dir)
        print(f"run directory: {run_dir} (resumed)")
        trainer = Trainer(
            args.line, run_dir, input_size=args.input_size, config=config, resume=args.resume, backbone=args.backbone
        )
        # a resumed model keeps the input size it was trained at
        input_size = model_frame_size(trainer.model) or args.input_size or trainer.line.input_size
        print(f"resumed {trainer.line.name} at batch {trainer.batch:,}")
    else:
        if args.line is None:
            from charles_core.errors import ConfigError

            raise ConfigError("name the line to train (`charles lines`), or a checkpoint to continue with --resume")
        line = get_line(args.line, args.backbone)
        # the run's buffer settings go into the line config every checkpoint carries, so a resume keeps them
        line = attrs.evolve(
            line,
            **{k: v for k, v in (("buffer_capacity", args.capacity), ("batch_per_buffer", args.batch_per_buffer)) if v},
        )
        input_size = args.input_size or line.input_size
        _check_before_allocating(line, input_size, args, dataset)
        run_dir = default_run_dir(args.run_root, line.name)
        started.append(run_dir)
        print(f"run directory: {run_dir}")
        trainer = Trainer(line, run_dir, input_size=input_size, config=config, sources=_parse_sources(args.source))
    balancer = make_balancer(trainer.line, bins=args.bins or ("coarse" if args.data == "sim" else "spec"))
    buffers = make_buffers(trainer.line, run_dir / "buffers", input_size, balancer, args.capacity)
    found = sum(buffers.counts().values())
    if found:  # a resumed run's buffers: training starts with what a killed trainer had collected
        print(f"reopened {run_dir / 'buffers'}: {found:,} samples found")
    if args.data == "sim":
        feeder = make_sim_collector(
            trainer.line, input_size, balancer, buffers, args.seeds, args.seed, environment=args.environment
        )
    else:
        feeder = DatasetFeeder(dataset, trainer.line, input_size, balancer, buffers)
    fill_buffers(feeder, buffers, progress=not args.no_progress)
    result = trainer.train(
        BufferFeed(buffers, refill=feeder.refill, seed=args.seed),
        until_batch=trainer.batch + args.batches if args.resume else args.batches,
        time_limit_s=args.minutes * 60 if args.minutes else None,
    )
    buffers.close()
    if not args.keep_buffers:
        shutil.rmtree(run_dir / "buffers")
    print(
        json.dumps(
            {
                "line": trainer.line.name,
                "batch": trainer.batch,
                "checkpoint": result["checkpoint"],
                "samples_per_s": round(result["samples_per_s"], 1),
                "losses": result["final_losses"],
                "tensorboard": str(run_dir / "logs"),
            }
        )
    )


def add_training_commands(commands) -> None:
    from charles_core.recipes.quickstart import TRAINING_PATHS, QuickstartConfig

    q = QuickstartConfig()  # the flags' defaults, shown in their help, are the config's
    sub = commands.add_parser("quickstart", help="the whole loop on the embedded simulator, on a CPU (~8 min)")
    sub.add_argument("--line", default=None, help="the line trained (default charles_pilotnet_v2)")
    sub.add_argument(
        "--minutes", type=arg.positive_float, default=None, help=f"training time budget (default {q.train_minutes})"
    )
    sub.add_argument("--batches", type=arg.positive_int, default=None, help="stop training at this many batches")
    sub.add_argument(
        "--capacity", type=arg.positive_int, default=None, help=f"samples per buffer (default {q.capacity})"
    )
    sub.add_argument("--input-size", type=arg.input_size, default=None, metavar="HxW", help="default 72x96")
    sub.add_argument(
        "--eval-seeds",
        default=None,
        metavar="SEEDS",
        help="unseen evaluation tracks, e.g. 0-19 or 3,5,8 (default 0-19; training tracks are refused)",
    )
    sub.add_argument(
        "--eval-steps",
        type=arg.positive_int,
        default=None,
        help=f"physics steps per evaluation episode (default {q.eval_steps})",
    )
    sub.add_argument(
        "--select-from",
        type=arg.positive_int,
        default=None,
        metavar="N",
        help=f"drive the last N checkpoints on validation tracks, keep the best (default {q.select_from}; 1: the last)",
    )
    sub.add_argument(
        "--checkpoint-every",
        type=arg.positive_int,
        default=None,
        metavar="N",
        help=f"batches between checkpoints (default {q.checkpoint_every})",
    )
    sub.add_argument(
        "--weight-average",
        type=arg.momentum_or_off,
        default=None,
        metavar="MOMENTUM",
        help=f"checkpoints hold a moving average of the weights, this momentum (default {q.weight_average}; 0: off)",
    )
    sub.add_argument(
        "--validation-tracks",
        type=arg.positive_int,
        default=None,
        metavar="N",
        help=f"validation tracks per candidate (training range, from seed 100,060; default {len(q.validation_seeds)})",
    )
    sub.add_argument(
        "--path",
        choices=TRAINING_PATHS,
        default=None,
        help=f"in-process: one process; live: collectors and the trainer on a local Ray (default {q.training_path})",
    )
    sub.add_argument("--run-root", type=arg.writable_directory, default="charles_runs", help="where run directories go")
    sub.add_argument("--seed", type=arg.seed, default=0)
    sub.add_argument("--no-progress", action="store_true", help="no progress bars")
    sub.set_defaults(func=cmd_quickstart)

    sub = commands.add_parser("train", help="train a line on the simulator or a recorded dataset")
    sub.add_argument(
        "line",
        nargs="?",
        default=None,
        help="a line id from `charles lines` (optional with --resume: the checkpoint's, checked)",
    )
    sub.add_argument(
        "--data", type=_data_source, default="sim", help="'sim' (the NPC on the simulator) or a recording's directory"
    )
    sub.add_argument("--input-size", type=arg.input_size, default=None, metavar="HxW")
    sub.add_argument("--batches", type=arg.positive_int, default=1000, help="batches to train (more after --resume)")
    sub.add_argument("--minutes", type=arg.positive_float, default=None, help="stop after this long")
    sub.add_argument(
        "--resume",
        type=arg.existing_file,
        default=None,
        metavar="CHECKPOINT",
        help="continue from a .keras checkpoint, in its run directory (its buffers reused)",
    )
    sub.add_argument("--backbone", default=None, help="train the line on another registered backbone")
    sub.add_argument(
        "--source", action="append", type=arg.part_path, metavar="PART=PATH", help="file for a recipe step (0009)"
    )
    sub.add_argument(
        "--capacity", type=arg.positive_int, default=None, help="samples per buffer (default: the line's 25,000)"
    )
    sub.add_argument("--batch-per-buffer", type=arg.positive_int, default=None)
    sub.add_argument(
        "--bins",
        choices=("spec", "coarse"),
        default=None,
        help="balancing bins (default: coarse on the simulator, spec on recordings)",
    )
    sub.add_argument(
        "--seeds",
        type=arg.seeds,
        default=training_seeds(60),
        help="simulator tracks for data, from the training range (default 100000-100059)",
    )
    sub.add_argument(
        "--environment",
        default="car_racing",
        help="the simulator environment (`charles environments`; default car_racing)",
    )
    sub.add_argument("--checkpoint-every", type=arg.positive_int, default=1000)
    sub.add_argument(
        "--weight-average",
        type=arg.momentum_or_off,
        default=None,
        metavar="MOMENTUM",
        help="checkpoints hold a moving average of the weights with this momentum, e.g. 0.99 (default: off)",
    )
    sub.add_argument("--strategy", choices=("default", "mirrored", "multi_worker"), default="default")
    sub.add_argument("--run-root", type=arg.writable_directory, default="charles_runs")
    sub.add_argument("--keep-buffers", action="store_true", help="keep the buffer files after training")
    sub.add_argument("--seed", type=arg.seed, default=0)
    sub.add_argument("--no-progress", action="store_true")
    sub.set_defaults(func=cmd_train)
