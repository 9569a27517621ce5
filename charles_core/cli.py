"""The ``charles`` command: one sub-command per task.

Sub-commands that need TensorFlow import it only when they run, so
``charles lines`` answers fast.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from charles_core import plugins
from charles_core.errors import CharlesError
from charles_core.frames import parse_size


def _size(text):
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _quiet_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _print_table(rows, headers):
    widths = [max(len(str(v)) for v in column) for column in zip(headers, *rows)]
    for row in [headers, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


# ---------------------------------------------------------------- registries


def cmd_lines(args):
    items = plugins.lines.items()
    if args.json:
        print(json.dumps([{"id": n, "line": s.line, "version": s.version, "backbone": s.backbone,
                           "plugin": p, "summary": s.summary} for n, s, p in items], indent=2))
    else:
        _print_table([(n, s.backbone, s.summary) for n, s, _ in items], ("LINE", "BACKBONE", "SUMMARY"))


def _cmd_registry(registry, describe):
    def command(args):
        items = registry.items()
        if args.json:
            print(json.dumps([{"name": n, "plugin": p, **describe(s)} for n, s, p in items], indent=2))
        else:
            _print_table([(n, p, describe(s).get("description", "")) for n, s, p in items],
                         ("NAME", "PLUGIN", "DESCRIPTION"))
    return command


def _describe_backbone(spec):
    return {"description": spec.description, "min_input_side": spec.min_input_side,
            "feature_channels": spec.feature_channels, "last_conv_layer": spec.last_conv_layer,
            "preprocessing": spec.preprocessing, "pooling": spec.pooling}


def _describe_initializer(spec):
    return {"description": spec.description, "needs_source": spec.needs_source}


# ---------------------------------------------------------------- models


def _parse_sources(pairs):
    sources = {}
    for pair in pairs or ():
        part, sep, path = pair.partition("=")
        if not sep or not path:
            raise CharlesError(f"--source takes PART=PATH (e.g. backbone=ckpt.keras); got {pair!r}")
        sources[part] = path
    return sources


def _build(args, load_sources=False):
    _quiet_tensorflow()
    from charles_core.models import create_model

    return create_model(args.line, input_size=args.input_size, backbone=args.backbone,
                        sources=_parse_sources(args.source), load_sources=load_sources)


def _frame_size(model) -> list[int] | None:
    """(height, width) of the frame input; None for recurrent-only lines (no frames)."""
    frame = next((t for t in model.inputs if t.name in ("frame", "frames")), None)
    return None if frame is None else [int(d) for d in frame.shape[-3:-1]]


def model_summary(model) -> dict:
    """Parameter counts, inputs and outputs of a built model, as plain data."""
    from charles_core.parts import count_params

    trainable, frozen = count_params(model.layers)
    line = model.charles_line
    return {
        "line": line.name,
        "backbone": line.backbone,
        "input_size": _frame_size(model),
        "total_params": trainable + frozen,
        "trainable_params": trainable,
        "non_trainable_params": frozen,
        "inputs": [{"name": t.name, "shape": list(t.shape[1:])} for t in model.inputs],
        "outputs": [{"name": o.name, "kind": o.kind, "units": o.units, "range": [o.low, o.high]}
                    for o in line.outputs],
        "transfer": list(model.charles_transfer),
    }


def cmd_summary(args):
    model = _build(args)
    summary = model_summary(model)
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    model.summary(line_length=110)
    print(f"Total params: {summary['total_params']:,}")
    print(f"Trainable params: {summary['trainable_params']:,}")
    print(f"Non-trainable params: {summary['non_trainable_params']:,}")
    print("Initialisation: " + "; ".join(summary["transfer"]))


def cmd_plot(args):
    from charles_core.model_plot import plot_model

    model = _build(args)
    plot_model(model, args.file, title=f"{model.name} ({args.input_size or model.charles_line.input_size})")
    print(f"wrote {args.file}")


# ---------------------------------------------------------------- parser


def _add_model_arguments(parser):
    parser.add_argument("line", help="a line id from `charles lines`")
    parser.add_argument("--input-size", type=_size, default=None, metavar="HxW",
                        help="input height x width (default: the line's native size)")
    parser.add_argument("--backbone", default=None, help="build the line on another registered backbone")
    parser.add_argument("--source", action="append", metavar="PART=PATH",
                        help="file for a recipe step that loads one (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="charles", description="Charles-style behaviour-cloning drivers.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub = commands.add_parser("lines", help="list every registered model line")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(func=cmd_lines)

    sub = commands.add_parser("backbones", help="list registered backbones and their plugins")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(func=_cmd_registry(plugins.backbones, _describe_backbone))

    sub = commands.add_parser("initializers", help="list registered initializers and their plugins")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(func=_cmd_registry(plugins.initializers, _describe_initializer))

    sub = commands.add_parser("summary", help="build a line and show its layers and parameter counts")
    _add_model_arguments(sub)
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(func=cmd_summary)

    sub = commands.add_parser("plot", help="draw a line's architecture to a PNG")
    _add_model_arguments(sub)
    sub.add_argument("file", help="output PNG path")
    sub.set_defaults(func=cmd_plot)

    for module_name, function_name in EXTRA_COMMANDS:
        getattr(importlib.import_module(module_name), function_name)(commands)
    return parser


# (module, function) pairs adding their own sub-commands to the subparsers.
EXTRA_COMMANDS: tuple[tuple[str, str], ...] = (
    ("charles_core.data.cli", "add_data_commands"),
    ("charles_core.training.cli", "add_training_commands"),
    ("charles_core.driving.cli", "add_driving_commands"),
    ("charles_core.benchmarks.cli", "add_bench_commands"),
    ("charles_core.evaluation.cli", "add_eval_commands"),
)


def main(argv=None) -> int:
    _quiet_tensorflow()  # before any plugin imports TensorFlow
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.func(args)
    except CharlesError as error:
        print(f"charles: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("charles: interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
