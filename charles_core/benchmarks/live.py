"""The live system against the quickstart's in-process path, in one run (``charles bench live``).

Both paths train with the quickstart's settings (``QuickstartConfig``: its NPC, tracks,
perturbations, balancing, checkpoints every 250 batches and weight average); ``--line``,
``--input-size``, ``--capacity`` and ``--batch-per-buffer`` resize both alike.

1. **In-process** (``charles quickstart --path in-process``'s training): one process; 8 NPC
   cars, the balancer, the buffers, ``Trainer`` + ``BufferFeed`` refilled by the collector when
   the buffers run low; batches counted over ``--minutes`` of wall time from the first
   simulator step (the fill included). Its CPU time (every thread) says how many cores it
   already keeps busy: the NPC drives in the trainer's batch thread while TensorFlow trains.
2. **Live** (``charles quickstart``'s training, ``QuickstartConfig.live_config``):
   ``--collectors`` collector processes, the trainer and ``--players`` players (0 by default:
   the quickstart drives no player while it trains, so both sides do the same work) on a local
   Ray; batches counted over the same wall time from the moment every process is up, and the
   machine's busy cores over it. Bar: at least 1.5x the in-process batches.
   ``equal_work_ratio_bound`` is the cores divided by the cores the in-process path used: the
   ratio of a live path that spends the same CPU per batch and keeps every core busy.
   **Weight push**: one player drives beside the same system for ``--push-minutes`` (a second
   run, unless ``--players`` is above 0): the latency from publish to the weights being in the
   player (bar: p95 under 1 s) and to the player driving on them (it swaps at its next episode
   boundary, so this waits for an episode's end); that run's batches show what a player costs.
3. **Collectors**: samples/s into the trainer's buffers with 1, 2 and 4 collector processes
   (no player, collectors never pausing), each over ``--collect-seconds`` after the first
   samples arrive.

4. **Ceiling**: raw ``train_on_batch`` on one batch already in memory (no collection, no
   buffers) for ``--ceiling-batches`` batches, and the quickstart's collector alone for
   ``--collect-seconds``, both in CPU time. The trainer's ceiling is the raw batches over the same
   wall time; the machine's ceiling is the cores divided by what one batch costs in all (its
   training plus collecting the samples it consumes, each drawn once). Where the machine's
   ceiling is below 1.5x the in-process batches, no arrangement of processes on these cores
   meets the bar.

Peak resident memory is reported per process. ``--evaluate N`` also drives both final
checkpoints on N evaluation tracks (mean reward), to say whether the quickstart would
drive as well on the live path.

Run: ``charles bench live --json`` (about 4 x --minutes + --push-minutes + 4 x --collect-seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import attrs
import numpy as np

BATCH_RATIO_BAR = 1.5
PUSH_P95_BAR_S = 1.0


def _percentile(values, q) -> float | None:
    return round(float(np.percentile(values, q)), 4) if len(values) else None


def _peak_rss_mb() -> float:
    from charles_core.live.ray_support import peak_rss_mb

    return peak_rss_mb()


def in_process_run(
    line: str,
    input_size,
    capacity: int,
    batch_per_buffer: int,
    seconds: float,
    run_dir: str,
) -> dict:
    """The quickstart's in-process training for ``seconds`` of wall time (fill included); runs in its own process.

    Everything but the line, frame size, buffers and batch is the quickstart's
    (``QuickstartConfig``): its NPC cars, tracks and perturbations, and its
    ``training_config()``: checkpoints, the weight average, the batch thread's priority.
    """
    from pathlib import Path

    from charles_core.collect.buffer_feed import BufferFeed
    from charles_core.models import get_line
    from charles_core.recipes.quickstart import make_in_process_collector
    from charles_core.training.trainer import Trainer

    quickstart = _quickstart(line, input_size, capacity, batch_per_buffer, "in-process")
    line_config = get_line(line)
    run_dir = Path(run_dir)
    trainer = Trainer(line_config, run_dir, input_size=input_size, config=quickstart.training_config(progress=False))
    buffers, collector = make_in_process_collector(quickstart, line_config, run_dir)
    started, cpu_started = time.monotonic(), time.process_time()
    while not buffers.ready and time.monotonic() - started < seconds:
        collector.step()
    fill_s = time.monotonic() - started
    left = seconds - fill_s
    if left > 1:
        feed = BufferFeed(buffers, refill=collector.refill, seed=quickstart.seed)
        trainer.train(feed, until_batch=10**9, time_limit_s=left)
    else:
        trainer.save()
    cpu_s, wall_s = time.process_time() - cpu_started, time.monotonic() - started
    collector.close()
    buffers.close()
    return {
        "batches": trainer.batch,
        "seconds": round(wall_s, 1),
        "cpu_s": round(cpu_s, 1),  # every thread: the trainer's and its batch thread, where the NPC drives
        "cores_used": round(cpu_s / wall_s, 2),
        "fill_s": round(fill_s, 1),
        "npc_steps": collector.steps,
        "checkpoint": str(trainer.last_checkpoint),
        "checkpoint_every": trainer.config.checkpoint_every,
        "weight_average": trainer.config.weight_average,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _quickstart(line: str, input_size, capacity: int, batch_per_buffer: int, path: str):
    """The quickstart's settings with the benchmark's line, frame size, buffers and batch."""
    from charles_core.recipes.quickstart import QuickstartConfig

    return QuickstartConfig(
        line=line,
        input_size=tuple(input_size),
        capacity=capacity,
        batch_per_buffer=batch_per_buffer,
        training_path=path,
    )


def collection_cpu_per_sample(
    line: str, input_size, seconds: float, cars: int = 8, npc_max_speed: float = 65.0
) -> dict:
    """What the quickstart's collector (NPC cars, balancer, mirror, buffers) spends per stored sample.

    Returns ``{"cpu_s_per_sample", "buffer_shares"}``: CPU seconds per sample stored in any
    buffer, and each buffer's share of the stored samples. The balancer fills the buffers at
    different rates, and a trainer draws the same number from each, so the slowest buffer
    sets how many samples are collected per batch.
    """
    from pathlib import Path

    from charles_core.collect.data_pipeline import make_balancer, make_buffers, make_sim_collector
    from charles_core.models import get_line
    from charles_core.sim.expert_driver import ExpertDriver
    from charles_core.sim.track_split import training_seeds

    line_config = get_line(line)
    directory = Path(tempfile.mkdtemp(prefix="charles-bench-collect-"))
    try:
        balancer = make_balancer(line_config, bins="coarse")
        # small rotating buffers: the writes are what is measured, not the disk they would fill
        buffers = make_buffers(line_config, directory / "buffers", input_size, balancer, 2000)
        collector = make_sim_collector(
            line_config,
            input_size,
            balancer,
            buffers,
            training_seeds(60),
            cars=cars,
            driver=ExpertDriver(max_speed=npc_max_speed),
        )
        for _ in range(cars * 5):  # the first steps of each car (imports, first drawings)
            collector.step()
        counted = _CountingBuffers(buffers)
        collector.buffers = counted
        cpu_started, started = time.process_time(), time.monotonic()
        while time.monotonic() - started < seconds:
            collector.step()
        cpu = time.process_time() - cpu_started
        collector.close()
        buffers.close()
        stored = sum(counted.stored.values())
        return {
            "cpu_s_per_sample": cpu / max(stored, 1),
            "buffer_shares": {name: round(n / max(stored, 1), 3) for name, n in counted.stored.items()},
        }
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class _CountingBuffers:
    """A buffer set that counts what the collector stores in each buffer (everything else passes through)."""

    def __init__(self, buffers):
        self._buffers = buffers
        self.stored = dict.fromkeys(buffers.outputs, 0)

    def add_ready(self, ready):
        result = self._buffers.add_ready(ready)
        for name, count in result.items():
            self.stored[name] += count
        return result

    def __getattr__(self, name):
        return getattr(self._buffers, name)


def ceiling_run(line: str, input_size, batch_per_buffer: int, batches: int, collect_seconds: float = 20.0) -> dict:
    """What this machine could train at best, measured in CPU time.

    ``batches_per_s``: raw ``train_on_batch`` on an in-memory batch, the trainer
    with nothing else to do. ``machine_batches_per_s``: the cores divided by the
    CPU time one batch costs in all, its training plus collecting the samples it
    consumes (each sample is drawn once): no arrangement of processes on these
    cores trains faster from fresh samples.
    """
    from charles_core.benchmarks.train import raw_training_cost
    from charles_core.errors import CharlesError
    from charles_core.models import get_line

    samples_per_batch = batch_per_buffer * len(get_line(line).outputs)
    training = raw_training_cost(line, input_size, batch_per_buffer, steps=batches, warmup=5)
    collecting = collection_cpu_per_sample(line, input_size, collect_seconds) if collect_seconds else None
    result = {
        "batches_per_s": round(training["samples_per_s"] / samples_per_batch, 2),
        "train_cpu_s_per_batch": round(training["cpu_s_per_batch"], 4),
    }
    if collecting is not None:
        cores = os.cpu_count() or 1
        per_sample = collecting["cpu_s_per_sample"]
        # the slowest-filling buffer must get its batch_per_buffer; the others overflow meanwhile
        slowest = min(collecting["buffer_shares"].values())
        if slowest == 0:
            raise CharlesError(
                f"no sample reached one of the buffers in {collect_seconds} s of collection "
                f"({collecting['buffer_shares']}): collect longer to measure the machine's ceiling"
            )
        collected_per_batch = batch_per_buffer / slowest
        result.update(
            {
                "collect_cpu_s_per_sample": round(per_sample, 5),
                "buffer_shares": collecting["buffer_shares"],
                "collected_per_batch": round(collected_per_batch, 1),
                "cores": cores,
                # every collected sample drawn once: the bound without the balancer's uneven buffers
                "machine_batches_per_s_even_buffers": round(
                    cores / (training["cpu_s_per_batch"] + samples_per_batch * per_sample), 2
                ),
                "machine_batches_per_s": round(
                    cores / (training["cpu_s_per_batch"] + collected_per_batch * per_sample), 2
                ),
            }
        )
    return result


def _in_process_child(queue, kwargs) -> None:
    try:
        run = kwargs.pop("run", "in_process")
        queue.put(("ok", (ceiling_run if run == "ceiling" else in_process_run)(**kwargs)))
    except BaseException as error:  # handed to the parent, raised there
        queue.put(("error", f"{type(error).__name__}: {error}"))


def _run_in_child(kwargs: dict, timeout_s: float) -> dict:
    import multiprocessing

    from charles_core.errors import CharlesError
    from charles_core.live.live_timeout_error import LiveTimeoutError

    what = "the ceiling run" if kwargs.get("run") == "ceiling" else "the in-process run"
    context = multiprocessing.get_context("spawn")  # a clean process: its own TensorFlow, its own peak RSS
    queue = context.Queue()
    process = context.Process(target=_in_process_child, args=(queue, kwargs), daemon=True)
    process.start()
    try:
        kind, value = queue.get(timeout=timeout_s)
    except Exception:
        process.kill()
        raise LiveTimeoutError(what, timeout_s) from None
    process.join(30)
    if kind == "error":
        raise CharlesError(f"{what} failed: {value}")
    return value


def machine_busy_s() -> float | None:
    """Core-seconds every process on this machine has run since boot (``/proc/stat``); ``None`` off Linux."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(value) for value in handle.readline().split()[1:]]
    except OSError:
        return None
    busy = sum(fields[index] for index in (0, 1, 2, 5, 6) if index < len(fields))  # user nice system irq softirq
    return busy / os.sysconf("SC_CLK_TCK")


def _busy_over(seconds: float, out: dict) -> None:
    before, started = machine_busy_s(), time.monotonic()
    time.sleep(seconds)
    after = machine_busy_s()
    if before is not None and after is not None:
        out["busy_core_s"] = after - before
        out["busy_window_s"] = time.monotonic() - started


def _live_run(config, run_dir, window_s: float | None = None) -> dict:
    """One LiveRun; with ``window_s`` it measures samples/s in over that window after the first samples.

    Without ``window_s`` the result also holds ``busy_cores``: the machine's cores in use over the
    run's minutes (every process, Ray's own included; on an idle machine, the live run's).
    """
    import threading

    from charles_core.live.live_run import LiveRun

    run = LiveRun(config, run_dir=run_dir, progress=False, log=lambda *_: None)
    try:
        run.start()
        if window_s is None:
            busy: dict = {}
            meter = threading.Thread(target=_busy_over, args=(config.minutes * 60, busy), daemon=True)
            meter.start()
            result = run.run()
            meter.join(60)
            if busy:
                result["busy_cores"] = round(busy["busy_core_s"] / busy["busy_window_s"], 2)
                result["busy_core_s_per_batch"] = round(busy["busy_core_s"] / max(result["batches"], 1), 4)
            return result
        else:
            first = run.wait_for(
                lambda s: s["trainer"]["samples_in"] > 0,
                config.start_timeout_s,
                "the first samples at the trainer",
                every_s=0.5,
            )["trainer"]
            started, counted = time.monotonic(), first["samples_in"]
            time.sleep(window_s)
            status = run.status()
            elapsed = time.monotonic() - started
            result = {
                "samples_in_per_s": round((status["trainer"]["samples_in"] - counted) / elapsed, 1),
                "window_s": round(elapsed, 1),
            }
            final = run.stop()
            result.update(
                {
                    "trainer_peak_rss_mb": final["trainer_peak_rss_mb"],
                    "collector_peak_rss_mb": [c["peak_rss_mb"] for c in final["collectors"]],
                    "collector_samples_per_s": [c["samples_per_s"] for c in final["collectors"]],
                }
            )
        return result
    finally:
        run.close()


def run_benchmark(
    line: str = "charles_pilotnet_v2",
    input_size=(72, 96),
    minutes: float = 5.0,
    collect_seconds: float = 45.0,
    collectors: int = 2,
    players: int = 0,
    capacity: int = 1500,
    batch_per_buffer: int = 16,
    cars: int = 4,
    publish_every: int = 50,
    evaluate: int = 0,
    directory: str | None = None,
    sweep=(1, 2, 4),
    ceiling_batches: int = 300,
    pause_fill: float | None = None,
    push_minutes: float = 2.0,
) -> dict:
    """Run the three parts in one process tree; returns the JSON-ready result (see the module docstring)."""
    from charles_core.live.ray_support import connect, import_ray

    work = tempfile.mkdtemp(prefix="charles-bench-live-", dir=directory)
    seconds = minutes * 60
    try:
        in_process = _run_in_child(
            dict(
                line=line,
                input_size=tuple(input_size),
                capacity=capacity,
                batch_per_buffer=batch_per_buffer,
                seconds=seconds,
                run_dir=os.path.join(work, "in_process"),
            ),
            seconds + 600,
        )
        ceiling = None
        if ceiling_batches:
            ceiling = _run_in_child(
                dict(
                    run="ceiling",
                    line=line,
                    input_size=tuple(input_size),
                    batch_per_buffer=batch_per_buffer,
                    batches=ceiling_batches,
                    collect_seconds=collect_seconds,
                ),
                600,
            )
            ceiling["batches_in_the_same_time"] = round(ceiling["batches_per_s"] * in_process["seconds"])
            ceiling["ratio_to_in_process"] = round(
                ceiling["batches_in_the_same_time"] / max(in_process["batches"], 1), 2
            )
            ceiling["machine_batches_in_the_same_time"] = round(
                ceiling["machine_batches_per_s"] * in_process["seconds"]
            )
            ceiling["machine_ratio_to_in_process"] = round(
                ceiling["machine_batches_in_the_same_time"] / max(in_process["batches"], 1), 2
            )
            ceiling["bar_reachable"] = ceiling["machine_ratio_to_in_process"] >= BATCH_RATIO_BAR
        ray = import_ray()
        started_ray = connect(
            None, num_cpus=max(os.cpu_count() or 1, 1 + max(max(sweep, default=1), collectors) + max(players, 1))
        )
        try:
            # the quickstart's live training (QuickstartConfig.live_config), resized as asked
            quickstart = _quickstart(line, input_size, capacity, batch_per_buffer, "live").live_config()
            live_config = attrs.evolve(
                quickstart,
                collectors=collectors,
                players=players,
                minutes=minutes,
                publish_every=publish_every,
                collector_options={**quickstart.collector_options, "cars": cars},
                **({} if pause_fill is None else {"pause_fill": pause_fill}),
            )
            live = _live_run(live_config, os.path.join(work, "live"))
            pushed = live
            if push_minutes and not players:  # the weight push needs a player: a second, shorter run with one
                pushed = _live_run(
                    attrs.evolve(live_config, players=1, minutes=push_minutes), os.path.join(work, "push")
                )
            pushes = [p["seconds"] for p in pushed["pushes"]]
            applied = [p["seconds"] for p in pushed["applied"]]
            sweep_results = {}
            for count in sweep:
                config = attrs.evolve(
                    live_config, collectors=count, players=0, minutes=60.0, pause_when_full=False
                )  # what the collectors can deliver, not what is drawn
                sweep_results[str(count)] = _live_run(
                    config, os.path.join(work, f"sweep{count}"), window_s=collect_seconds
                )
        finally:
            if started_ray:
                ray.shutdown()
        ratio = live["batches"] / max(in_process["batches"], 1)
        p95 = _percentile(pushes, 95)
        cores = os.cpu_count() or 1
        in_process_cpu_per_batch = in_process["cpu_s"] / max(in_process["batches"], 1)
        result = {
            "benchmark": "live",
            "line": line,
            "input_size": list(input_size),
            "minutes": minutes,
            "cpu_count": os.cpu_count(),
            "capacity": capacity,
            "batch_per_buffer": batch_per_buffer,
            # the quickstart's training settings, as each path ran them
            "checkpoint_every": {"in_process": in_process["checkpoint_every"], "live": live_config.checkpoint_every},
            "weight_average": {"in_process": in_process["weight_average"], "live": live_config.weight_average},
            "in_process": {
                **{k: in_process[k] for k in ("batches", "seconds", "cpu_s", "cores_used", "fill_s", "npc_steps")},
                "cpu_s_per_batch": round(in_process_cpu_per_batch, 4),
                "peak_rss_mb": in_process["peak_rss_mb"],
            },
            # The live path at the in-process path's CPU per batch with every core busy: beyond
            # this ratio it must spend less CPU per batch than the in-process path, not just more cores.
            "equal_work_ratio_bound": round(cores / max(in_process["cores_used"], 1e-9), 2),
            "live": {
                "collectors": collectors,
                "cars_per_collector": cars,
                "pause_fill": live_config.pause_fill,
                "players": players,
                "batches": live["batches"],
                "seconds": live["seconds"],
                "samples_in": live["samples_in"],
                "samples_in_per_s": live["samples_in_per_s"],
                "samples_drawn": live["samples_drawn"],
                "busy_cores": live.get("busy_cores"),
                "busy_core_s_per_batch": live.get("busy_core_s_per_batch"),
                "unused_share": round(1 - live["samples_drawn"] / max(live["samples_in"], 1), 3),
                "trainer_waiting_for_data_s": live["waiting_for_data_s"],
                "trainer_waiting_before_first_batch_s": live["waiting_before_first_batch_s"],
                "player_episodes": len(live["episodes"]),
                "trainer_peak_rss_mb": live["trainer_peak_rss_mb"],
                "collector_paused_s": [c["paused_s"] for c in live["collectors"]],
                "collector_peak_rss_mb": [c["peak_rss_mb"] for c in live["collectors"]],
                "player_peak_rss_mb": [p["peak_rss_mb"] for p in live["players"]],
            },
            "batch_ratio": round(ratio, 2),
            "batch_ratio_bar": BATCH_RATIO_BAR,
            "batch_ratio_ok": ratio >= BATCH_RATIO_BAR,
            "weight_push_run": {
                "players": len(pushed["players"]),
                "minutes": round(pushed["seconds"] / 60, 2),
                "batches": pushed["batches"],
                "batches_per_s": round(pushed["batches"] / max(pushed["seconds"], 1e-9), 2),
                "player_episodes": len(pushed["episodes"]),
                "player_peak_rss_mb": [p["peak_rss_mb"] for p in pushed["players"]],
            },
            "weight_push_s": {"count": len(pushes), "p50": _percentile(pushes, 50), "p95": p95},
            "weight_push_p95_bar_s": PUSH_P95_BAR_S,
            "weight_push_ok": p95 is not None and p95 < PUSH_P95_BAR_S,
            "publish_to_driving_s": {
                "count": len(applied),
                "p50": _percentile(applied, 50),
                "p95": _percentile(applied, 95),
            },
            "trainer_ceiling": ceiling,
            "collector_sweep": sweep_results,
            "driver_peak_rss_mb": _peak_rss_mb(),
        }
        if evaluate:
            result["evaluation"] = _evaluate(
                {"in_process": in_process["checkpoint"], "live": live["checkpoint"]}, evaluate
            )
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _evaluate(checkpoints: dict, tracks: int) -> dict:
    """Mean reward of each checkpoint on the first ``tracks`` evaluation tracks (the quickstart's way of driving)."""
    from charles_core.collect.model_policy import ModelPolicy
    from charles_core.sim.evaluate import evaluate
    from charles_core.sim.track_split import evaluation_seeds
    from charles_core.training.checkpoint_info import model_frame_size
    from charles_core.training.checkpoints import load_line_checkpoint

    seeds = evaluation_seeds(tracks)
    scores = {}
    for name, path in checkpoints.items():
        model = load_line_checkpoint(path)
        policy = ModelPolicy(model, model_frame_size(model))
        report = evaluate(policy, seeds, max_steps=1000, reset_policy=policy.reset, action_repeat=2)
        scores[name] = {
            "mean_reward": report["mean"],
            "per_seed": report["per_seed"],
            "laps": sum(report["lap_finished"].values()),
        }
    return {"seeds": list(seeds), **scores}


def add_arguments(parser) -> None:
    from charles_core.common import arguments as arg

    parser.add_argument("--line", default="charles_pilotnet_v2", help="the line (default: the quickstart's)")
    parser.add_argument("--input-size", type=arg.input_size, default=(72, 96), metavar="HxW")
    parser.add_argument(
        "--minutes",
        type=arg.positive_float,
        default=5.0,
        help="wall time of the in-process and the live run each (default 5: the quickstart's)",
    )
    parser.add_argument(
        "--collect-seconds",
        type=arg.positive_float,
        default=45.0,
        help="samples/s window per collector count (default 45)",
    )
    parser.add_argument("--collectors", type=arg.positive_int, default=2, help="collectors of the live run")
    parser.add_argument(
        "--players",
        type=arg.non_negative_int,
        default=0,
        help="players of the compared live run (default 0: the quickstart drives none while it trains)",
    )
    parser.add_argument(
        "--push-minutes",
        type=arg.non_negative_float,
        default=2.0,
        help="the weight-push run: one player beside the live system this long (default 2; 0: skip)",
    )
    parser.add_argument("--cars", type=arg.positive_int, default=4, help="cars per collector process")
    parser.add_argument("--capacity", type=arg.positive_int, default=1500)
    parser.add_argument("--batch-per-buffer", type=arg.positive_int, default=16)
    parser.add_argument("--publish-every", type=arg.positive_int, default=50)
    parser.add_argument(
        "--evaluate",
        type=arg.non_negative_int,
        default=0,
        help="also drive both final checkpoints on this many evaluation tracks",
    )
    parser.add_argument(
        "--sweep",
        type=arg.seeds,
        default=(1, 2, 4),
        metavar="COUNTS",
        help="collector counts of the samples/s part (default 1,2,4)",
    )
    parser.add_argument(
        "--ceiling-batches",
        type=arg.non_negative_int,
        default=300,
        help="raw train_on_batch batches of the ceiling part (0: skip it)",
    )
    parser.add_argument(
        "--pause-fill",
        type=arg.share,
        default=None,
        metavar="SHARE",
        help="the live run's collectors rest while every buffer holds this share (default: LiveConfig's)",
    )
    parser.add_argument("--directory", type=arg.writable_directory, default=None, help="where the runs go (temp)")
    parser.add_argument("--json", action="store_true")


def run_from_args(args) -> int:
    result = run_benchmark(
        args.line,
        args.input_size,
        args.minutes,
        args.collect_seconds,
        args.collectors,
        args.players,
        args.capacity,
        args.batch_per_buffer,
        args.cars,
        args.publish_every,
        args.evaluate,
        args.directory,
        tuple(count for count in args.sweep if count > 0),
        args.ceiling_batches,
        args.pause_fill,
        args.push_minutes,
    )
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
