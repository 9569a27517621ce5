"""The ``charles`` command: one sub-command per task.

Sub-commands that need TensorFlow import it only when they run, so
``charles lines`` answers fast. The terminal is the user's: TensorFlow's,
absl's and XLA's start-up notices are kept off it unless ``--verbose``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import importlib.machinery
import json
import logging
import os
import sys
import warnings

from charles_core import plugins
from charles_core.common import terminal
from charles_core.common.arguments import input_size, output_file, part_path
from charles_core.errors import CharlesError, RegistryError

# Libraries whose Python warnings (deprecations, tracing hints) are not the user's business.
NOISY_MODULES = r"(tensorflow|tf_keras|keras|absl|google|h5py|ml_dtypes|openvino|gymnasium|pygame)(\.|$)"


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Imports ``tensorflow`` with fd 2 silenced, whichever module imports it first (keras, a plugin...)."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once: the package itself, not its submodules
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def quiet_exec_module(module):
            with terminal.silenced_stderr():
                exec_module(module)

        spec.loader.exec_module = quiet_exec_module
        return spec


def _quiet_tensorflow(verbose: bool = False) -> None:
    """Keep library notices off the terminal (before TensorFlow is imported); ``verbose`` keeps them."""
    if verbose:
        return
    terminal.QUIET = True
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # C++ INFO, WARNING and ERROR logs after start-up
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    os.environ.setdefault("GLOG_minloglevel", "3")
    for name in ("tensorflow", "absl", "keras", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=NOISY_MODULES)
    if "tensorflow" not in sys.modules and not any(isinstance(f, _QuietTensorFlowImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowImport())


def _print_table(rows, headers):
    widths = [max(len(str(v)) for v in column) for column in zip(headers, *rows)]
    for row in [headers, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


# ---------------------------------------------------------------- registries


def cmd_lines(args):
    items = plugins.lines.items()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": n,
                        "line": s.line,
                        "version": s.version,
                        "backbone": s.backbone,
                        "plugin": p,
                        "summary": s.summary,
                    }
                    for n, s, p in items
                ],
                indent=2,
            )
        )
    else:
        _print_table([(n, s.backbone, s.summary) for n, s, _ in items], ("LINE", "BACKBONE", "SUMMARY"))


def _cmd_registry(registry, describe):
    def command(args):
        items = registry.items()
        if args.json:
            print(json.dumps([{"name": n, "plugin": p, **describe(s)} for n, s, p in items], indent=2))
        else:
            _print_table(
                [(n, p, describe(s).get("description", "")) for n, s, p in items], ("NAME", "PLUGIN", "DESCRIPTION")
            )

    return command


def _describe_backbone(spec):
    return {
        "description": spec.description,
        "min_input_side": spec.min_input_side,
        "feature_channels": spec.feature_channels,
        "last_conv_layer": spec.last_conv_layer,
        "preprocessing": spec.preprocessing,
        "pooling": spec.pooling,
    }


def _describe_runtime(spec):
    return {"description": spec.description, "available": bool(spec.available())}


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
    from charles_core.models import create_model

    return create_model(
        args.line,
        input_size=args.input_size,
        backbone=args.backbone,
        sources=_parse_sources(args.source),
        load_sources=load_sources,
    )


def _frame_size(model) -> list[int] | None:
    """(height, width) of the frame input; None for recurrent-only lines (no frames)."""
    frame = next((t for t in model.inputs if t.name in ("frame", "frames")), None)
    return None if frame is None else [int(d) for d in frame.shape[-3:-1]]


def model_summary(model) -> dict:
    """Parameter counts, inputs and outputs of a built model, as plain data."""
    from charles_core.models.parts import count_params

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
        "outputs": [{"name": o.name, "kind": o.kind, "units": o.units, "range": [o.low, o.high]} for o in line.outputs],
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
    from charles_core.models.model_plot import plot_model

    model = _build(args)
    plot_model(model, args.file, title=f"{model.name} ({args.input_size or model.charles_line.input_size})")
    print(f"wrote {args.file}")


# ---------------------------------------------------------------- parser


def _add_model_arguments(parser):
    parser.add_argument("line", help="a line id from `charles lines`")
    parser.add_argument(
        "--input-size",
        type=input_size,
        default=None,
        metavar="HxW",
        help="input height x width (default: the line's native size)",
    )
    parser.add_argument("--backbone", default=None, help="build the line on another registered backbone")
    parser.add_argument(
        "--source",
        action="append",
        type=part_path,
        metavar="PART=PATH",
        help="file for a recipe step that loads one (repeatable)",
    )


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (no usage block), exit code 2, like every other error.

    Sub-command parsers inherit the class (argparse creates them with the parent's type).
    """

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(prog="charles", description="Charles-style behaviour-cloning drivers.")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="keep TensorFlow's and other libraries' notices and warnings (also after COMMAND)",
    )
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
    sub.add_argument("file", type=output_file, help="output PNG path")
    sub.set_defaults(func=cmd_plot)

    sub = commands.add_parser("environments", help="list registered driving environments and their plugins")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(func=_cmd_registry(plugins.environments, lambda spec: {"description": spec.description}))

    sub = commands.add_parser("runtimes", help="list registered inference runtimes and whether they run here")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(func=_cmd_registry(plugins.runtimes, _describe_runtime))

    owners = {name: "charles_core" for name in commands.choices}
    # the built-in families first, so a plugin's clashing command is the one named
    for name, spec, plugin in sorted(
        plugins.commands.items(), key=lambda item: (item[2] != "charles_core.cli.plugin", item[0])
    ):
        before = set(commands.choices)
        try:
            spec.factory(commands)
        except argparse.ArgumentError as error:
            taken = ", ".join(
                f"{command!r} ({owner})" for command, owner in sorted(owners.items()) if command in str(error)
            )
            raise RegistryError(
                f"plugin {plugin!r} (command family {name!r}) adds a command that already exists: "
                f"{taken or error}; uninstall or block one of them"
            ) from None
        owners.update({command: plugin for command in set(commands.choices) - before})
    return parser


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # --verbose is global but may follow the sub-command too: taken out before parsing
    verbose = "--verbose" in argv[: argv.index("--")] if "--" in argv else "--verbose" in argv
    argv = [a for a in argv if a != "--verbose"] if verbose else argv
    _quiet_tensorflow(verbose)  # before any plugin imports TensorFlow
    try:
        parser = build_parser()
    except CharlesError as error:  # a plugin's command or config that cannot work
        print(f"charles: error: {error}", file=sys.stderr)
        return 2
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
