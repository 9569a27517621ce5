"""Trainer throughput against raw ``train_on_batch`` on the same model and batch, in one run.

The trainer draws every batch from disk-backed buffers (``BufferSet``), turns
it into model data and feeds ``model.fit`` through ``tf.data``; the raw loop
calls ``model.train_on_batch`` on one batch already in memory. The ratio says
what the data path costs: at least 0.95 is the bar. The two loops alternate
(``--rounds``) and their medians are compared.

Run: ``charles bench train charles_pilotnet_v1 --input-size 72x96 --batch 16 --json``
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

RATIO_BAR = 0.95


def _fill(buffers, rng, count_per_buffer):
    from charles_core.data.sample import Sample

    height, width, _ = buffers.frame_shape
    frames = rng.integers(0, 256, (64, height, width, 3), dtype=np.uint8)  # reused pixels, fresh labels
    history_shapes = buffers.config.history_shapes or {}
    for name in buffers.outputs:
        for index in range(count_per_buffer):
            history = {
                signal: rng.uniform(0, 1, shape).astype(np.float32) for signal, shape in history_shapes.items()
            } or None
            buffers.add(
                name,
                Sample(
                    frames[index % 64],
                    throttle=float(rng.uniform(-1, 1)),
                    steering=float(rng.uniform(-1, 1)),
                    speed=float(rng.uniform(0, 50)),
                    history=history,
                ),
            )


def run_benchmark(
    line: str,
    input_size,
    batch_per_buffer: int = 16,
    batches: int = 60,
    warmup: int = 5,
    directory: str | None = None,
    rounds: int = 5,
) -> dict:
    """Measure both loops, alternating ``rounds`` times; returns samples/s of each and their ratio.

    Each round times ``batches`` trainer batches, then ``batches`` raw steps.
    The medians over rounds are compared, so a burst of load from elsewhere
    on the machine lands on both loops alike rather than on one of them.
    """
    from charles_core.codec.history_inputs import history_signal_shapes
    from charles_core.codec.model_data import model_data
    from charles_core.collect.buffer_feed import BufferFeed
    from charles_core.collect.data_pipeline import make_balancer
    from charles_core.data.buffer_set import BufferSet
    from charles_core.training.trainer import Trainer
    from charles_core.training.training_config import TrainingConfig

    rng = np.random.default_rng(0)
    work = tempfile.mkdtemp(prefix="charles-bench-train-", dir=directory)
    try:
        trainer = Trainer(
            line,
            f"{work}/run",
            input_size=input_size,
            config=TrainingConfig(
                batch_per_buffer=batch_per_buffer, checkpoint_every=10**9, log_every=10**9, progress=False
            ),
        )
        balancer = make_balancer(trainer.line)
        total = (warmup + rounds * (batches + 4) + 1) * batch_per_buffer  # +4: the prefetcher reads ahead
        # every sample drawn once, none refilled: the pause threshold sits below what is drawn
        tall = (input_size[0] * trainer.line.frames, input_size[1], 3)  # several frames: one tall image
        buffers = BufferSet(
            f"{work}/buffers",
            balancer.buffer_names,
            tall,
            capacity=total,
            label_mode=balancer.label_mode,
            pause_fraction=0.01,
            history_shapes=history_signal_shapes(trainer.line),
        )
        _fill(buffers, rng, total)
        samples_per_batch = batch_per_buffer * len(buffers.outputs)
        feed = BufferFeed(buffers)
        # the raw loop's batch: drawn the same way, set aside before the trainer starts
        x, y, w = model_data(trainer.line, buffers.draw(batch_per_buffer, rng))
        _fill(buffers, rng, batch_per_buffer)  # full again: training starts on full buffers
        if hasattr(os, "sync"):  # the fill's writes go to disk now, not as writeback during a timed round
            os.sync()

        trainer_rates, raw_rates = [], []
        for round_index in range(rounds):
            skip = warmup if round_index == 0 else 1  # the first batch of a call starts the prefetcher
            stamps = []
            trainer.train(
                feed,
                until_batch=trainer.batch + batches + skip,
                on_batch=lambda number, logs, stamps=stamps: stamps.append(time.perf_counter()),
            )
            trainer_rates.append(batches * samples_per_batch / (stamps[-1] - stamps[skip - 1]))
            raw_rates.append(
                _timed_train(trainer.model, x, y, w, samples_per_batch, batches, warmup if round_index == 0 else 1)
            )
        buffers.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    trainer_rate, raw_rate = float(np.median(trainer_rates)), float(np.median(raw_rates))
    ratio = trainer_rate / raw_rate
    return {
        "benchmark": "train",
        "line": trainer.line.name,
        "input_size": list(input_size),
        "batch": samples_per_batch,
        "batches": batches,
        "rounds": rounds,
        "trainer_samples_per_s": round(trainer_rate, 2),
        "raw_train_on_batch_samples_per_s": round(raw_rate, 2),
        "ratio": round(ratio, 3),
        "ratio_per_round": [round(t / r, 3) for t, r in zip(trainer_rates, raw_rates)],
        "ratio_bar": RATIO_BAR,
        "ok": ratio >= RATIO_BAR,
    }


def add_arguments(parser) -> None:
    from charles_core.common import arguments as arg

    parser.add_argument("line")
    parser.add_argument("--input-size", type=arg.input_size, default=(72, 96), metavar="HxW")
    parser.add_argument("--batch", type=arg.positive_int, default=16, help="samples per buffer per batch")
    parser.add_argument("--batches", type=arg.positive_int, default=60, help="timed batches per loop")
    parser.add_argument("--warmup", type=arg.non_negative_int, default=5)
    parser.add_argument(
        "--rounds", type=arg.positive_int, default=5, help="alternations of the two loops (medians compared)"
    )
    parser.add_argument("--directory", type=arg.writable_directory, default=None, help="where the temporary buffers go")
    parser.add_argument("--json", action="store_true")


def run_from_args(args) -> int:
    result = run_benchmark(
        args.line, args.input_size, args.batch, args.batches, args.warmup, args.directory, args.rounds
    )
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())


def raw_training_rate(line: str, input_size, batch_per_buffer: int = 16, steps: int = 2, warmup: int = 1) -> float:
    """Samples/s that ``train_on_batch`` consumes for ``line`` at ``input_size`` (random data)."""
    return raw_training_cost(line, input_size, batch_per_buffer, steps, warmup)["samples_per_s"]


def raw_training_cost(line: str, input_size, batch_per_buffer: int = 16, steps: int = 2, warmup: int = 1) -> dict:
    """``{"samples_per_s", "cpu_s_per_batch"}`` of raw ``train_on_batch`` (random data; CPU time of every thread)."""
    from charles_core.codec.model_data import model_data
    from charles_core.models import get_line
    from charles_core.training.trainer import Trainer
    from charles_core.training.training_config import TrainingConfig

    config = get_line(line)
    trainer = Trainer(
        config,
        tempfile.mkdtemp(prefix="charles-bench-rate-"),
        input_size=input_size,
        config=TrainingConfig(progress=False),
    )
    rng = np.random.default_rng(0)
    size = batch_per_buffer * len(config.outputs)
    batch = {
        "frames": rng.integers(0, 256, (size, input_size[0] * config.frames, input_size[1], 3), dtype=np.uint8),
        **{name: rng.uniform(-1, 1, size).astype(np.float32) for name in ("throttle", "steering")},
    }
    batch["acceleration"], batch["braking"] = np.maximum(batch["throttle"], 0), np.maximum(-batch["throttle"], 0)
    if config.history is not None:  # history lines: random past signals in the buffers' layout
        from charles_core.codec.history_inputs import history_signal_shapes

        for signal, shape in history_signal_shapes(config).items():
            batch[f"history_{signal}"] = rng.uniform(-1, 1, (size, *shape)).astype(np.float32)
        batch["purpose"] = rng.uniform(-1, 1, (size, 2)).astype(np.float32)
    x, y, w = model_data(config, batch)
    for _ in range(warmup):
        trainer.model.train_on_batch(x, y, sample_weight=w)
    cpu_started = time.process_time()
    samples_per_s = _timed_train(trainer.model, x, y, w, size, steps, 0)
    return {"samples_per_s": samples_per_s, "cpu_s_per_batch": (time.process_time() - cpu_started) / steps}


def _timed_train(model, x, y, w, size, steps, warmup) -> float:
    for _ in range(warmup):
        model.train_on_batch(x, y, sample_weight=w)
    started = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y, sample_weight=w)
    return steps * size / (time.perf_counter() - started)
