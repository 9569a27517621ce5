"""``charles data ...`` commands; the main CLI calls :func:`add_data_commands`.

Both commands open what they are given read-only: nothing on disk is created,
truncated or written, whatever the files hold.

Example:

```text
parser = argparse.ArgumentParser(prog="charles")
add_data_commands(parser.add_subparsers(dest="command"))
args = parser.parse_args(["data", "check", "rec", "--verify"])
sys.exit(args.func(args))
```
"""

from __future__ import annotations

import argparse
import json
import sys


def add_data_commands(subparsers) -> argparse.ArgumentParser:
    """Add ``data inspect PATH [--json] [--plot FILE.png] [--verify]`` and ``data check PATH [--verify] [--json]``.

    Args:
        subparsers: the object ``ArgumentParser.add_subparsers()`` returned.

    Returns:
        The ``data`` parser. Each leaf command sets ``func(args) -> int`` (exit code).
    """
    data = subparsers.add_parser("data", help="inspect and check recorded driving data and buffers")
    commands = data.add_subparsers(dest="data_command", metavar="COMMAND")
    commands.required = True
    inspect = commands.add_parser("inspect", help="validate a recording or buffer set and show label histograms")
    inspect.add_argument(
        "path", metavar="PATH", help="a recording directory (manifest.json) or a buffer set directory (buffers.json)"
    )
    inspect.add_argument("--json", action="store_true", help="print the summary as JSON")
    inspect.add_argument("--plot", metavar="FILE.png", help="also draw per-output label histograms")
    inspect.add_argument("--verify", action="store_true", help="check every frame's checksum too")
    inspect.set_defaults(func=run_inspect)
    check = commands.add_parser(
        "check", help="validate a recording or buffer set end to end (read-only); exit 2 with one line per problem"
    )
    check.add_argument("path", metavar="PATH", help="a recording or buffer set directory")
    check.add_argument("--verify", action="store_true", help="read every frame and check its checksum")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--no-progress", action="store_true", help="no progress bar")
    check.set_defaults(func=run_check)
    return data


def inspect_buffers(path, plot: str | None = None, verify: bool = False) -> dict:
    """Counts, fill and per-output label histograms of a buffer set on disk, opened read-only.

    Args:
        path: the buffer set directory.
        plot: also draw the merged label histograms to this PNG.
        verify: check every frame's checksum; corrupt ones are counted (``corrupt``), nothing is written.

    Raises:
        StorageError: naming the file, for a missing, malformed or damaged set.
    """
    import numpy as np

    from charles_core.data.bins import DEFAULT_V2_BINS
    from charles_core.data.buffer_set import BufferSet

    with BufferSet.open_existing(path, read_only=True) as buffers:
        summary = {
            "path": str(path),
            "kind": "buffers",
            "capacity": buffers.config.capacity,
            "frame_shape": list(buffers.frame_shape),
            "counts": buffers.counts(),
            "buffers": {},
        }
        if verify:
            summary["corrupt"] = buffers.verify()
            summary["counts"] = buffers.counts()
        labels = {}
        for name in buffers.outputs:
            arrays = buffers.label_arrays(name)
            labels[name] = arrays
            summary["buffers"][name] = {
                output: {
                    "bins": DEFAULT_V2_BINS[output].labels(),
                    "counts": DEFAULT_V2_BINS[output].histogram(arrays[output]).tolist(),
                    "mean": round(float(np.mean(arrays[output])), 4) if len(arrays[output]) else None,
                }
                for output in ("throttle", "steering")
            }
    if plot:
        from charles_core.data.plots import plot_label_histograms

        merged = {k: np.concatenate([labels[b][k] for b in labels]) for k in ("throttle", "steering")}
        summary["plot"] = plot_label_histograms(merged, plot, title=f"{path} (all buffers)")
    return summary


def run_inspect(args) -> int:
    """Run ``charles data inspect``: prints the summary and returns 0; bad data raise StorageError (exit 2)."""
    import warnings

    from charles_core.data.data_check import KIND_BUFFERS, data_kind
    from charles_core.data.sample_store import StorageWarning

    if args.plot:  # refused before any data are read
        from charles_core.data.plots import check_plot_path

        check_plot_path(args.plot)
    if data_kind(args.path) == KIND_BUFFERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StorageWarning)  # counted in the summary instead
            summary = inspect_buffers(args.path, args.plot, verify=args.verify)
        if args.json:
            print(json.dumps(summary, indent=2))
            return 0
        print(
            f"buffer set {summary['path']}: {summary['counts']} of {summary['capacity']} each, "
            f"frames {summary['frame_shape']}"
        )
        if args.verify:
            print(f"  corrupt frames found: {summary['corrupt']} (left on disk; see `charles data check`)")
        for name, outputs in summary["buffers"].items():
            for output, info in outputs.items():
                print(f"  buffer {name}, {output}: mean {info['mean']}")
                print("    " + "  ".join(f"{b}:{c}" for b, c in zip(info["bins"], info["counts"])))
        if args.plot:
            print(f"histograms written to {summary['plot']}")
        return 0
    from charles_core.data.recorded_dataset import RecordedDataset, inspect_dataset

    summary = inspect_dataset(args.path, verify_frames=args.verify)
    if args.plot:
        from charles_core.data.plots import plot_label_histograms

        labels = RecordedDataset(args.path).label_arrays()
        summary["plot"] = plot_label_histograms(labels, args.plot, title=f"{args.path} ({summary['count']} samples)")
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(
        f"recording {summary['path']}: {summary['count']} frames of {summary['frame_shape']}, "
        f"{summary['duration_s']:.1f} s, checksums: {'yes' if summary['has_checksums'] else 'no'}"
    )
    for name, info in summary["outputs"].items():
        print(f"  {name}: min {info['min']}, max {info['max']}, mean {info['mean']}")
        print("    " + "  ".join(f"{b}:{c}" for b, c in zip(info["bins"], info["counts"])))
    if args.plot:
        print(f"histograms written to {summary['plot']}")
    return 0


def run_check(args) -> int:
    """Run ``charles data check``: 0 when clean; 2 with one ``charles: error:`` line per problem class."""
    from charles_core.data.data_check import check_data

    report = check_data(args.path, verify=args.verify, progress=not args.no_progress)
    if args.json:
        print(json.dumps(report, indent=2))
    elif not report["problems"]:
        size = report.get("count", report.get("counts"))
        verified = "every frame verified" if report.get("frames_verified") else "frames not read (--verify reads them)"
        print(f"{report['kind']} {report['path']}: OK ({size} samples; {verified})")
        for note in report.get("notes", []):
            print(f"  note: {note}")
    for problem in report["problems"]:
        print(f"charles: error: {problem}", file=sys.stderr)
    return 2 if report["problems"] else 0
