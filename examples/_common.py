"""Shared by the example scripts: the command line, and building and describing one line.

Example:

```bash
python examples/model_0004_inceptionresnetv2.py --version 3 --input-size 135x240
```
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args(line: str, description: str, default_version: int = 1) -> argparse.Namespace:
    """Parse ``--version``, ``--input-size HxW`` (default: the line's native size) and ``--backbone``.

    Args:
        line: the line id without version (``"model_0004_inceptionresnetv2"``).
        description: shown by ``--help``.
        default_version: the version built when ``--version`` is not given.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--version", type=int, default=default_version, help=f"version of {line} (default {default_version})"
    )
    parser.add_argument("--input-size", default=None, metavar="HxW", help="frame size, e.g. 135x240 (default: native)")
    parser.add_argument("--backbone", default=None, help="another registered backbone (`charles backbones`)")
    parser.add_argument("--no-summary", action="store_true", help="print the parameter counts only")
    parser.add_argument(
        "--train-batches",
        type=int,
        default=0,
        help="then train it this many batches on the simulator at small scale (`charles train`)",
    )
    parser.add_argument("--capacity", type=int, default=64, help="samples per buffer when training (default 64)")
    parser.add_argument("--run-root", default="charles_runs", help="where training runs go")
    args = parser.parse_args()
    args.line_id = f"{line}_v{args.version}"
    return args


def build_and_describe(args: argparse.Namespace):
    """Build ``args.line_id`` (nothing loaded from files), print its summary and counts; return it."""
    from charles_core import create_model
    from charles_core.common.frames import parse_size
    from charles_core.models.parts import count_params, part_layers

    size = parse_size(args.input_size) if args.input_size else None
    model = create_model(args.line_id, input_size=size, backbone=args.backbone, load_sources=False)
    if not args.no_summary:
        model.summary(line_length=110)
    trainable, frozen = count_params(model.layers)
    print(f"{args.line_id} on {model.charles_line.backbone}")
    print(f"  total params:         {trainable + frozen:,}")
    print(f"  trainable params:     {trainable:,}")
    print(f"  non-trainable params: {frozen:,}")
    for part in ("backbone", "recurrent", "head"):
        print(f"  {part + ':':<21} {sum(count_params(part_layers(model, part))):,}")
    for step in model.charles_transfer:
        print(f"  recipe: {step}")
    if args.train_batches:
        train_small(args, model)
    return model


def train_small(args: argparse.Namespace, model) -> int:
    """Train the line briefly on the simulator through `charles train`, at a small input size.

    Lines whose recipe loads checkpoints (0009) need their sources: see transfer_chain_0009.py.
    """
    from charles_core import cli, plugins

    line = model.charles_line
    side = max(plugins.backbones.get(line.backbone).min_input_side, 64) if line.backbone in plugins.backbones else 64
    size = args.input_size or f"{side}x{side}"
    argv = [
        "train",
        args.line_id,
        "--batches",
        str(args.train_batches),
        "--input-size",
        size,
        "--capacity",
        str(args.capacity),
        "--batch-per-buffer",
        "4",
        "--bins",
        "coarse",
        "--run-root",
        args.run_root,
        "--no-progress",
    ]
    if args.backbone:
        argv += ["--backbone", args.backbone]
    print(f"training: charles {' '.join(argv)}")
    return cli.main(argv)
