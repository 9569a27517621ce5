"""Fill two full-size disk-backed buffers and measure resident memory and draw speed.

Usage::

    python benchmarks/bench_buffers.py                  # 2 x 25,000 x 270x480x3 (~19 GB on disk)
    python benchmarks/bench_buffers.py --capacity 500   # quick check
    python benchmarks/bench_buffers.py --directory /big/disk/tmp --batch 16

Prints one JSON object: ``rss_gib`` (peak resident set size of this process,
psutil), ``draws_per_s`` (samples drawn per second), ``batches_per_s``,
``fill_s``, ``fill_samples_per_s``, ``disk_gib``, and ``rss_ok`` (<= 3 GiB).
The buffer directory is deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

from charles_core.data.buffer_set import BufferSet
from charles_core.data.sample import Sample

RSS_BAR_GIB = 3.0


def _rss_gib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**30


def run_benchmark(
    capacity: int = 25_000,
    frame_shape: tuple[int, int] = (270, 480),
    batch_per_buffer: int = 16,
    batches: int = 200,
    directory: str | None = None,
    keep: bool = False,
    seed: int = 0,
) -> dict:
    """Fill 2 buffers to ``capacity``, then draw ``batches`` batches; returns the figures.

    Args:
        capacity: samples per buffer (the spec's 25,000 by default).
        frame_shape: ``(height, width)`` of the frames (full size by default).
        batch_per_buffer: samples drawn from each buffer per batch.
        batches: how many batches to time (buffers are topped up in between,
            like a trainer fed by its collector; refills are not timed).
        directory: parent directory for the buffers (default: a temp dir).
        keep: leave the buffers on disk.
        seed: random seed.

    Returns:
        ``{"rss_gib", "rss_ok", "draws_per_s", "batches_per_s", "fill_s", ...}``

    Example:
        >>> run_benchmark(capacity=100, frame_shape=(27, 48), batches=5)["rss_ok"]  # doctest: +SKIP
        True
    """
    rng = np.random.default_rng(seed)
    parent = tempfile.mkdtemp(prefix="charles-bench-", dir=directory)
    path = os.path.join(parent, "buffers")
    outputs = ("throttle", "steering")
    # a few distinct frames, stamped with the sample number: generating 19 GB of
    # random pixels would time the generator, not the buffers
    base = rng.integers(0, 256, size=(8, *frame_shape, 3), dtype=np.uint8)
    peak = _rss_gib()

    def sample(i: int) -> Sample:
        frame = base[i % len(base)].copy()
        frame.reshape(-1)[:8] = np.frombuffer(np.int64(i).tobytes(), np.uint8)
        return Sample(
            frame,
            throttle=float(rng.uniform(-1, 1)),
            steering=float(rng.uniform(-1, 1)),
            speed=float(rng.uniform(0, 30)),
            purpose=(1.0, 0.0),
            timestamp=float(i),
        )

    try:
        buffers = BufferSet(path, outputs, frame_shape, capacity=capacity)
        start = time.perf_counter()
        n = 0
        for i in range(capacity):
            for name in outputs:
                buffers.add(name, sample(n))
                n += 1
            if i % 1000 == 0:
                peak = max(peak, _rss_gib())
        fill_s = time.perf_counter() - start
        assert buffers.ready
        drawn, draw_s = 0, 0.0
        for _ in range(batches):
            start = time.perf_counter()
            batch = buffers.draw(batch_per_buffer, rng)
            draw_s += time.perf_counter() - start
            drawn += len(batch["frames"])
            peak = max(peak, _rss_gib())
            for name in outputs:  # top up, untimed
                for _ in range(batch_per_buffer):
                    buffers.add(name, sample(n))
                    n += 1
        buffers.close()
        # reopening a full set must be quick: the trainer restarts from it
        start = time.perf_counter()
        BufferSet(path, outputs, frame_shape, capacity=capacity).close()
        reopen_s = time.perf_counter() - start
        disk = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)
    finally:
        if not keep:
            shutil.rmtree(parent, ignore_errors=True)
    peak = max(peak, _rss_gib())
    return {
        "capacity": capacity,
        "buffers": len(outputs),
        "frame_shape": [*frame_shape, 3],
        "batch_per_buffer": batch_per_buffer,
        "batches": batches,
        "disk_gib": round(disk / 2**30, 3),
        "fill_s": round(fill_s, 2),
        "fill_samples_per_s": round(capacity * len(outputs) / fill_s, 1),
        "draws_per_s": round(drawn / draw_s, 1),
        "batches_per_s": round(batches / draw_s, 2),
        "reopen_s": round(reopen_s, 3),
        "rss_gib": round(peak, 3),
        "rss_ok": peak <= RSS_BAR_GIB,
        "directory": None if not keep else path,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--capacity", type=int, default=25_000)
    parser.add_argument("--frame-size", default="270x480", help="HEIGHTxWIDTH")
    parser.add_argument("--batch", type=int, default=16, help="samples per buffer per batch")
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--directory", default=None, help="parent directory for the buffers (default: temp)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", action="store_true", help="one line of JSON (default: indented)")
    parser.add_argument(
        "--compare-train",
        action="store_true",
        help="after the buffer figures, time InceptionResNetV2 training at the frame size",
    )
    args = parser.parse_args(argv)
    from charles_core.common.frames import parse_size

    frame_size = parse_size(args.frame_size)
    result = run_benchmark(args.capacity, frame_size, args.batch, args.batches, args.directory, args.keep)
    if args.compare_train:
        # after the RSS figures: TensorFlow alone takes more memory than the buffers
        from charles_core.benchmarks.train import raw_training_rate

        consumed = raw_training_rate("model_0004_inceptionresnetv2_v3", frame_size, args.batch)
        result["irv2_training_samples_per_s"] = round(consumed, 2)
        result["draws_over_training"] = round(result["draws_per_s"] / consumed, 1)
        result["draws_ok"] = result["draws_over_training"] >= 20
    print(json.dumps(result, indent=None if args.json else 2))
    return 0 if result["rss_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
