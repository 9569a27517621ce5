"""Screen capture benchmark: mss grab + BGRA->RGB + resize of a 1280x720 region to 270x480.

Prints JSON: milliseconds per frame (mean, p50, p95) for the whole ``read()``
and for the grab alone. Runs under Xvfb: when ``DISPLAY`` is unset and Xvfb
is installed, the script starts its own 1280x720 virtual display.

Usage:

    python benchmarks/bench_capture.py --frames 200 [--output result.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

from charles_core.driving.screen_frame_source import ScreenFrameSource
from charles_core.driving.virtual_display import VirtualDisplay


def _summary(seconds: list[float]) -> dict:
    ms = np.asarray(seconds) * 1000.0
    return {"mean_ms": float(ms.mean()), "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95))}


def run_benchmark(
    frames: int = 200,
    warmup: int = 10,
    region: tuple[int, int, int, int] = (0, 0, 1280, 720),
    output_size: tuple[int, int] = (270, 480),
    display: str | None = None,
) -> dict:
    """Time ``ScreenFrameSource.read()`` on ``region`` = (left, top, width, height).

    Starts a private Xvfb when neither ``display`` nor ``$DISPLAY`` is set.

    Returns:
        ``{"read": {mean_ms, p50_ms, p95_ms}, "grab": {...}, "frames", "region", "output_size", ...}``.
    """
    virtual = None
    if display is None and not os.environ.get("DISPLAY") and platform.system() == "Linux":
        virtual = VirtualDisplay(region[0] + region[2], region[1] + region[3]).start()
        display = virtual.name
    try:
        left, top, width, height = region
        with ScreenFrameSource(
            left=left, top=top, width=width, height=height, output_size=output_size, display=display
        ) as source:
            for _ in range(warmup):
                source.read()
            read_times, grab_times = [], []
            for _ in range(frames):
                started = time.perf_counter()
                frame = source.read()
                read_times.append(time.perf_counter() - started)
            for _ in range(frames):
                started = time.perf_counter()
                source._sct.grab(source.region)
                grab_times.append(time.perf_counter() - started)
            assert frame.shape == (*output_size, 3)
    finally:
        if virtual is not None:
            virtual.stop()
    return {
        "benchmark": "capture",
        "read": _summary(read_times),
        "grab": _summary(grab_times),
        "frames": frames,
        "region": list(region),
        "output_size": list(output_size),
        "display": "xvfb (own)" if virtual is not None else (display or os.environ.get("DISPLAY")),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--output", help="also write the JSON here")
    parser.add_argument("--json", action="store_true", help="one line of JSON (default: indented)")
    args = parser.parse_args(argv)
    result = run_benchmark(frames=args.frames, warmup=args.warmup)
    text = json.dumps(result, indent=None if args.json else 2)
    print(text)
    if args.output:
        with open(args.output, "w") as stream:
            stream.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
