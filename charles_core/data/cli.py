"""``charles data ...`` commands; the main CLI calls :func:`add_data_commands`.

Example:

```python
parser = argparse.ArgumentParser(prog="charles")
add_data_commands(parser.add_subparsers(dest="command"))
args = parser.parse_args(["data", "inspect", "rec", "--json"])
sys.exit(args.func(args))
```
"""

from __future__ import annotations

import argparse
import json


def add_data_commands(subparsers) -> argparse.ArgumentParser:
    """Add ``data inspect PATH [--json] [--plot FILE.png] [--verify]`` to ``subparsers``.

    Args:
        subparsers: the object ``ArgumentParser.add_subparsers()`` returned.

    Returns:
        The ``data`` parser. Each leaf command sets ``func(args) -> int`` (exit code).
    """
    data = subparsers.add_parser("data", help="inspect recorded driving data")
    commands = data.add_subparsers(dest="data_command", metavar="COMMAND")
    commands.required = True
    inspect = commands.add_parser("inspect", help="validate a recording and show label histograms")
    inspect.add_argument("path", metavar="PATH",
                         help="a recording directory (manifest.json) or a buffer set directory (buffers.json)")
    inspect.add_argument("--json", action="store_true", help="print the summary as JSON")
    inspect.add_argument("--plot", metavar="FILE.png", help="also draw per-output label histograms")
    inspect.add_argument("--verify", action="store_true", help="check every frame's checksum too")
    inspect.set_defaults(func=run_inspect)
    return data


def inspect_buffers(path, plot: str | None = None) -> dict:
    """Counts, fill and per-output label histograms of a buffer set on disk (frames are not read)."""
    import os

    import numpy as np

    from charles_core.data.bins import DEFAULT_V2_BINS
    from charles_core.data.buffer_set import SET_FILE, SET_FORMAT, SET_VERSION, BufferSet
    from charles_core.data.sample_store import read_format_json
    from charles_core.errors import StorageError

    layout = read_format_json(os.path.join(path, SET_FILE), SET_FORMAT, SET_VERSION, "buffer set file")
    try:
        buffers = BufferSet(path, layout["buffers"], tuple(layout["frame_shape"]), capacity=layout["capacity"],
                            history_shapes={k: tuple(v) for k, v in layout.get("history", {}).items()})
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StorageError(f"cannot read buffer set {path}: {error}") from error
    with buffers:
        summary = {"path": str(path), "kind": "buffers", "capacity": layout["capacity"],
                   "frame_shape": layout["frame_shape"], "counts": buffers.counts(), "buffers": {}}
        labels = {}
        for name in buffers.outputs:
            arrays = buffers.label_arrays(name)
            labels[name] = arrays
            summary["buffers"][name] = {
                output: {"bins": DEFAULT_V2_BINS[output].labels(),
                         "counts": DEFAULT_V2_BINS[output].histogram(arrays[output]).tolist(),
                         "mean": round(float(np.mean(arrays[output])), 4) if len(arrays[output]) else None}
                for output in ("throttle", "steering")
            }
    if plot:
        from charles_core.data.plots import plot_label_histograms

        merged = {k: np.concatenate([labels[b][k] for b in labels]) for k in ("throttle", "steering")}
        summary["plot"] = plot_label_histograms(merged, plot, title=f"{path} (all buffers)")
    return summary


def run_inspect(args) -> int:
    """Run ``charles data inspect``; prints the summary, returns 0, or 1 on a bad recording."""
    import os

    if os.path.exists(os.path.join(args.path, "buffers.json")):
        summary = inspect_buffers(args.path, args.plot)
        if args.json:
            print(json.dumps(summary, indent=2))
            return 0
        print(f"buffer set {summary['path']}: {summary['counts']} of {summary['capacity']} each, "
              f"frames {summary['frame_shape']}")
        for name, outputs in summary["buffers"].items():
            for output, info in outputs.items():
                print(f"  buffer {name}, {output}: mean {info['mean']}")
                print("    " + "  ".join(f"{b}:{c}" for b, c in zip(info["bins"], info["counts"])))
        if args.plot:
            print(f"histograms written to {summary['plot']}")
        return 0
    from charles_core.data.recorded_dataset import RecordedDataset, inspect_dataset
    from charles_core.errors import StorageError

    try:
        summary = inspect_dataset(args.path, verify_frames=args.verify)
    except StorageError as error:
        print(f"error: {error}")
        return 1
    if args.plot:
        from charles_core.data.plots import plot_label_histograms

        labels = RecordedDataset(args.path).label_arrays()
        summary["plot"] = plot_label_histograms(labels, args.plot, title=f"{args.path} ({summary['count']} samples)")
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"recording {summary['path']}: {summary['count']} frames of {summary['frame_shape']}, "
          f"{summary['duration_s']:.1f} s, checksums: {'yes' if summary['has_checksums'] else 'no'}")
    for name, info in summary["outputs"].items():
        print(f"  {name}: min {info['min']}, max {info['max']}, mean {info['mean']}")
        print("    " + "  ".join(f"{b}:{c}" for b, c in zip(info["bins"], info["counts"])))
    if args.plot:
        print(f"histograms written to {summary['plot']}")
    return 0
