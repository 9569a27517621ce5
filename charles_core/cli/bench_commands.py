"""``charles bench train|buffers|drive|capture``: the repository's benchmarks as commands."""

from __future__ import annotations


def _frame_size(text: str) -> str:
    """Checked like --input-size, passed on as text to the benchmark script."""
    from charles_core.common.arguments import input_size

    input_size(text)
    return text


def _buffers(args) -> int:
    from charles_core.benchmarks.buffers import main

    argv = [
        "--capacity",
        str(args.capacity),
        "--frame-size",
        args.frame_size,
        "--batch",
        str(args.batch),
        "--batches",
        str(args.batches),
    ]
    if args.directory:
        argv += ["--directory", args.directory]
    if args.compare_train:
        argv += ["--compare-train"]
    if args.json:
        argv += ["--json"]
    return main(argv)


def _capture(args) -> int:
    from charles_core.benchmarks.capture import main

    return main(["--frames", str(args.frames)] + (["--json"] if args.json else []))


def add_bench_commands(commands) -> None:
    from charles_core.benchmarks import drive, live, train
    from charles_core.common import arguments as arg

    bench = commands.add_parser("bench", help="run a benchmark (JSON results)")
    kinds = bench.add_subparsers(dest="bench", required=True, metavar="BENCHMARK")

    sub = kinds.add_parser("train", help="trainer samples/s vs raw train_on_batch (bar: ratio >= 0.95)")
    train.add_arguments(sub)
    sub.set_defaults(func=train.run_from_args)

    sub = kinds.add_parser("live", help="live training on Ray vs the in-process quickstart path (bar: 1.5x batches)")
    live.add_arguments(sub)
    sub.set_defaults(func=live.run_from_args)

    sub = kinds.add_parser("drive", help="player-loop PPS vs the raw forward pass and model.predict")
    drive.add_arguments(sub)
    sub.set_defaults(func=drive.run_from_args)

    sub = kinds.add_parser("buffers", help="memory and draws/s of 2 x 25,000 full-size samples on disk")
    sub.add_argument("--capacity", type=arg.positive_int, default=25_000)
    sub.add_argument("--frame-size", type=_frame_size, default="270x480", metavar="HxW")
    sub.add_argument("--batch", type=arg.positive_int, default=16)
    sub.add_argument("--batches", type=arg.positive_int, default=200)
    sub.add_argument(
        "--directory", type=arg.writable_directory, default=None, help="where the ~19 GB of buffers go (default: temp)"
    )
    sub.add_argument(
        "--compare-train",
        action="store_true",
        help="also time InceptionResNetV2 training at the frame size and report draws / consumption",
    )
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(func=_buffers)

    sub = kinds.add_parser("capture", help="mss capture + resize of a 1280x720 region, ms per frame")
    sub.add_argument("--frames", type=arg.positive_int, default=200)
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(func=_capture)
