"""``charles drive``."""

from __future__ import annotations

import json

from charles_core.common import arguments as arg


def cmd_drive(args):
    import contextlib
    import sys

    from charles_core.driving.drive import drive_game, drive_simulator, load_line_model
    from charles_core.errors import ConfigError

    if args.source == "sim" and args.controller != "sim":
        raise ConfigError("--source sim drives the simulator: use --controller sim")
    if args.precision == "bfloat16":  # process-wide, before the model loads
        from charles_core.runtimes.bfloat16_inference import enable_bfloat16_inference

        enable_bfloat16_inference()
    model = load_line_model(args.checkpoint, args.line)  # the checkpoint's line; a named one must match
    cam = None
    with contextlib.ExitStack() as stack:
        if args.convcam_window or args.convcam_dir:
            from charles_core.driving.convcam_window import ConvcamWindow

            # opened before the simulator loads: it sets SDL_VIDEODRIVER=dummy when unset
            cam = stack.enter_context(
                ConvcamWindow(model, window=args.convcam_window, directory=args.convcam_dir, hz=args.convcam_hz)
            )
        on_frame = cam.submit if cam is not None else None
        if args.source == "sim":
            result = drive_simulator(
                model,
                args.seeds,
                rate_hz=args.rate_hz,
                max_steps=args.max_steps,
                unstuck=args.unstuck,
                watch=args.watch,
                runtime=args.runtime,
                status=(lambda status: None) if args.json else None,
                on_frame=on_frame,
                environment=args.environment,
            )
        else:
            link_options = None
            if args.link == "socket":
                from charles_core.driving.socket_game_link import load_or_create_token

                link_options = {
                    "token": load_or_create_token(args.link_token_file),
                    "host": args.link_host,
                    "port": args.link_port,
                }
                print(f"game link token: {args.link_token_file}", file=sys.stderr)
            stats = drive_game(
                model,
                source=args.source,
                controller=args.controller,
                rate_hz=args.rate_hz,
                region=args.region,
                watch=args.watch,
                max_seconds=args.seconds,
                runtime=args.runtime,
                on_frame=on_frame,
                link=args.link,
                link_options=link_options,
                link_wait_s=args.link_wait,
                unstuck=args.unstuck,
            )
    if cam is not None and cam.directory is not None:
        print(f"\nconvcam: {len(cam.files)} PNGs in {cam.directory}", file=sys.stderr)
    if args.source == "sim":
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"\nmean reward over seeds {list(args.seeds)}: {result['mean_reward']:.1f} "
                f"(per seed {result['per_seed']}; {result['pps']:.1f} predictions/s)"
            )
        return 0
    print(f"\n{stats}")
    return 0


def cmd_convcam(args):
    from charles_core.driving.drive import load_line_model
    from charles_core.models.convcam import render_files

    written = render_files(load_line_model(args.checkpoint, args.line), args.frame, args.output)
    for path in written:
        print(path)
    return 0


def add_game_link_arguments(sub) -> None:
    """The socket game link's settings, shared by `charles drive` and `charles record --source game`."""
    sub.add_argument("--link-host", default="127.0.0.1", help="game link: address to listen on (default loopback)")
    sub.add_argument("--link-port", type=arg.port, default=8765, help="game link: TCP port (default 8765)")
    sub.add_argument(
        "--link-token-file",
        default="charles-game-link.token",
        metavar="FILE",
        help="game link: the shared token (created, owner-only, if missing)",
    )
    sub.add_argument(
        "--link-wait",
        type=arg.positive_float,
        default=60.0,
        metavar="SECONDS",
        help="game link: how long to wait for the game script (default 60)",
    )


def add_driving_commands(commands) -> None:
    sub = commands.add_parser("convcam", help="the last conv layer's maps, tiled into one image per frame")
    sub.add_argument(
        "line", nargs="?", default=None, help="optional: the checkpoint's line id, checked against the one stored in it"
    )
    sub.add_argument(
        "--checkpoint", type=arg.existing_file, required=True, help="a .keras checkpoint written by the trainer"
    )
    sub.add_argument(
        "--frame", type=arg.existing_file, required=True, nargs="+", help="image file(s) (PNG, JPEG) to look at"
    )
    sub.add_argument("--output", default="convcam.png", help="a .png for one frame, a folder for several")
    sub.set_defaults(func=cmd_convcam)

    sub = commands.add_parser("drive", help="drive a trained line: the simulator or the game (screen + gamepad)")
    sub.add_argument(
        "line", nargs="?", default=None, help="optional: the checkpoint's line id, checked against the one stored in it"
    )
    sub.add_argument(
        "--checkpoint", type=arg.existing_file, required=True, help="a .keras checkpoint written by the trainer"
    )
    sub.add_argument("--source", default="sim", help="frame source: sim, screen, or a plugin's (default sim)")
    sub.add_argument(
        "--environment",
        default="car_racing",
        help="with --source sim: the environment to drive (`charles environments`; default car_racing)",
    )
    sub.add_argument("--controller", default="sim", help="controller: sim, gamepad, or a plugin's (default sim)")
    sub.add_argument("--seeds", type=arg.seeds, default=(0,), help="simulator: track seeds to evaluate on")
    sub.add_argument("--json", action="store_true", help="simulator: print the evaluation as JSON")
    sub.add_argument(
        "--rate-hz", type=arg.non_negative_float, default=30.0, help="predictions per second (0: unlimited)"
    )
    sub.add_argument("--max-steps", type=arg.positive_int, default=1000, help="simulator: physics steps per episode")
    sub.add_argument(
        "--unstuck",
        action="store_true",
        help="move the car when it stops moving (simulator: teleport; game: through --link)",
    )
    sub.add_argument(
        "--watch",
        type=arg.existing_directory,
        default=None,
        metavar="DIR",
        help="take new checkpoints from DIR at each unstuck",
    )
    sub.add_argument("--region", type=arg.region, default=None, help="screen: LEFT,TOP,WIDTH,HEIGHT of the game")
    sub.add_argument("--seconds", type=arg.positive_float, default=None, help="game: stop after this long")
    sub.add_argument(
        "--link",
        default=None,
        metavar="NAME",
        help="game: a link to a script in the game (socket) for speed, purpose and unstuck",
    )
    add_game_link_arguments(sub)
    sub.add_argument(
        "--runtime",
        default="auto",
        help="inference runtime from `charles runtimes` (auto: time each here, keep the fastest)",
    )
    sub.add_argument(
        "--precision",
        choices=("float32", "bfloat16"),
        default="float32",
        help="bfloat16: oneDNN's bfloat16 path on CPUs with AVX512-BF16/AMX (faster, outputs move ~1e-4)",
    )
    sub.add_argument(
        "--convcam-window",
        action="store_true",
        help="show the last conv layer's maps of the frames driven on in a live window (pygame)",
    )
    sub.add_argument(
        "--convcam-dir",
        type=arg.writable_directory,
        default=None,
        metavar="DIR",
        help="write those Convcam renders as DIR/convcam-000001.png, ...",
    )
    sub.add_argument(
        "--convcam-hz",
        type=arg.positive_float,
        default=5.0,
        help="Convcam renders per second at most (each costs a forward pass; default 5)",
    )
    sub.set_defaults(func=cmd_drive)
