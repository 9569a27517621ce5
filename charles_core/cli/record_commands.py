"""``charles record``: write a sample stream (the simulator's NPC, a person, the game) to a recording.

The recording is the documented format (docs/data.md): ``charles data check`` accepts it and
``charles train --data DIR`` trains from it. With ``--segment-samples N`` it is a recording
stream instead (a segment closed every N samples) that a ``recording`` collector with
``follow=True`` reads while it grows, e.g. on a shared folder (docs/live.md, "A Windows game
machine").
"""

from __future__ import annotations

import argparse
import json
import sys

from charles_core.cli.drive_commands import add_game_link_arguments
from charles_core.common import arguments as arg

SOURCES = ("sim", "keyboard", "gamepad", "game")
SIM_SIZE, GAME_SIZE = (96, 128), (270, 480)  # the game's: the spec's 1280x720 capture resized to 480x270


def _probability(text: str) -> float:
    value = arg.non_negative_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be a probability in [0, 1]; got {text!r}")
    return value


def _open_stream(args, size):
    """The stream to record, and a ``() -> str`` describing its drops (or ``None``)."""
    if args.source in ("sim", "keyboard", "gamepad"):
        from charles_core.collect.sim_stream import SimStream

        driver = None
        if args.source != "sim":
            from charles_core.sim.human_driver import HumanDriver

            # the window opens before the simulator loads: it sets SDL_VIDEODRIVER=dummy when unset
            driver = HumanDriver(args.source, hz=args.hz, frame_scale=args.scale)
        try:
            stream = SimStream(
                driver,
                environment=args.environment,
                seeds=args.seeds,
                frame_size=size,
                action_repeat=args.action_repeat,
                perturb=args.perturb,
                seed=args.seed,
            )
        except BaseException:
            if driver is not None:
                driver.close()
            raise
        return stream, None
    from charles_core import plugins
    from charles_core.driving.game_stream import GameStream
    from charles_core.driving.socket_game_link import load_or_create_token

    link = plugins.game_links.get(args.link).factory(
        token=load_or_create_token(args.link_token_file), host=args.link_host, port=args.link_port
    )
    try:
        options = {"output_size": size}
        if args.region is not None:
            options.update(zip(("left", "top", "width", "height"), args.region))
        source = plugins.frame_sources.get(args.frame_source).factory(**options)
        stream = GameStream(source, link, max_skew_s=args.max_skew_ms / 1000.0)
        if not args.json:
            host, port = link.address
            print(
                f"game link: waiting for the game script on {host}:{port} (token file {args.link_token_file})",
                file=sys.stderr,
            )
        stream.wait_for_game(args.link_wait)
    except BaseException:
        link.close()
        raise

    def describe():
        dropped = stream.stats()["dropped"]
        return f"; dropped {sum(dropped.values())}" if any(dropped.values()) else ""

    return stream, describe


def cmd_record(args) -> int:
    from charles_core.collect.progress_line import ProgressLine
    from charles_core.collect.stream_recorder import record_stream
    from charles_core.data.recorded_dataset import RecordedDatasetWriter
    from charles_core.data.segmented_recording_writer import SegmentedRecordingWriter
    from charles_core.errors import ConfigError

    if args.source == "sim" and args.samples is None and args.minutes is None:
        raise ConfigError("--source sim records until a limit: give --samples N or --minutes M")
    size = args.size or (GAME_SIZE if args.source == "game" else SIM_SIZE)
    stream, describe = _open_stream(args, size)
    try:
        if args.segment_samples is not None:
            writer = SegmentedRecordingWriter(
                args.out, size, segment_samples=args.segment_samples, labels_format=args.labels
            )
        else:
            writer = RecordedDatasetWriter(args.out, size, labels_format=args.labels)
        try:
            progress = ProgressLine(enabled=not args.no_progress and not args.json)
            summary = record_stream(
                stream, writer, samples=args.samples, minutes=args.minutes, progress=progress, describe=describe
            )
        finally:
            writer.close()  # whatever happened, what was recorded is a valid recording
    finally:
        stream.close()
    summary = {"path": args.out, "source": args.source, "frame_shape": [*size, 3], **summary}
    if args.segment_samples is not None:
        summary["segments"] = writer.segments
    if hasattr(stream, "stats"):
        summary["dropped"] = stream.stats()["dropped"]
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"recorded {summary['samples']:,} samples in {summary['seconds']:.1f} s ({summary['rate']:.1f} "
            f"samples/s) to {args.out}; check it with: charles data check {args.out}"
        )
    return 0


def add_record_commands(commands) -> None:
    """Add ``charles record`` to argparse's sub-parsers."""
    sub = commands.add_parser("record", help="write driving (the simulator's NPC, you, the game) to a recording")
    sub.add_argument(
        "--source",
        choices=SOURCES,
        default="sim",
        help="sim: the scripted NPC; keyboard/gamepad: you drive the simulator in a window; "
        "game: the screen plus the game link's NPC controls (default sim)",
    )
    sub.add_argument(
        "--out",
        required=True,
        type=arg.writable_directory,
        metavar="DIR",
        help="the new recording (a folder that holds none yet)",
    )
    sub.add_argument("--samples", type=arg.positive_int, default=None, help="stop after this many samples")
    sub.add_argument("--minutes", type=arg.positive_float, default=None, help="stop after this long")
    sub.add_argument(
        "--size",
        type=arg.input_size,
        default=None,
        metavar="HxW",
        help="recorded frame size (default 96x128; the game: 270x480)",
    )
    sub.add_argument(
        "--segment-samples",
        type=arg.positive_int,
        default=None,
        metavar="N",
        help="write a recording stream, a segment closed every N samples, that a recording "
        "collector can follow as it grows (e.g. on a shared folder)",
    )
    sub.add_argument("--labels", choices=("npy", "csv"), default="npy", help="labels file format (default npy)")
    sub.add_argument(
        "--seeds",
        type=arg.seeds,
        default=None,
        help="simulator: training track seeds, one episode each in turn (default the first 60)",
    )
    sub.add_argument("--environment", default="car_racing", help="simulator: the environment (default car_racing)")
    sub.add_argument(
        "--action-repeat",
        type=arg.positive_int,
        default=2,
        help="simulator: physics steps (1/50 s) per sample (default 2: 25 samples/s)",
    )
    sub.add_argument(
        "--perturb",
        type=_probability,
        default=0.03,
        metavar="P",
        help="sim: chance per step of a steering perturbation the NPC recovers from (the label stays "
        "the NPC's; default 0.03)",
    )
    sub.add_argument("--seed", type=arg.seed, default=0, help="sim: seed of the perturbations")
    sub.add_argument(
        "--hz",
        type=arg.positive_float,
        default=25.0,
        help="keyboard/gamepad: steps per second of real time (default 25)",
    )
    sub.add_argument("--scale", type=arg.positive_int, default=4, help="keyboard/gamepad: window zoom (default 4)")
    sub.add_argument("--frame-source", default="screen", help="game: the frame source (default screen)")
    sub.add_argument("--region", type=arg.region, default=None, help="game: LEFT,TOP,WIDTH,HEIGHT of the game")
    sub.add_argument("--link", default="socket", help="game: the game link (default socket)")
    add_game_link_arguments(sub)
    sub.add_argument(
        "--max-skew-ms",
        type=arg.positive_float,
        default=50.0,
        help="game: the most time between a telemetry line and its frame (default 50)",
    )
    sub.add_argument("--json", action="store_true", help="print a JSON summary instead of text")
    sub.add_argument("--no-progress", action="store_true", help="no progress line")
    sub.set_defaults(func=cmd_record)
