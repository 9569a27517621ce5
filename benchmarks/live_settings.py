"""One live run with given LiveConfig settings: batches, samples never drawn, the trainer's waits, CPU per process.

Usage (prints one JSON line; Linux, reads /proc)::

    python benchmarks/live_settings.py --minutes 1.5 --set pause_fill=0.95 --set ingest_samples=32

The run is the benchmark's live part (``charles bench live``: the quickstart's line at 72x96, 2
collectors of 4 cars, 1 player at 25 Hz, buffers of 1,500) on a local Ray. While it runs, the CPU
time of every process on the machine is read twice, ``--cpu-from`` seconds after the start and
``--cpu-seconds`` later, and reported per process (Ray names its workers ``ray::<class>``) in cores.
Settings are compared by running this once per setting, one run at a time on an idle machine.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import tempfile
import threading
import time


def _cpu_seconds() -> dict[int, tuple[str, float]]:
    """pid -> (command line, user + system CPU seconds) of every readable process."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        found[int(name)] = (command[:80], (int(fields[11]) + int(fields[12])) / tick)
    return found


def _cpu_split(delay_s: float, window_s: float, out: dict) -> None:
    time.sleep(delay_s)
    before, started = _cpu_seconds(), time.monotonic()
    time.sleep(window_s)
    after, seconds = _cpu_seconds(), time.monotonic() - started
    rows = []
    for pid, (command, cpu) in after.items():
        used = (cpu - before.get(pid, (command, 0.0))[1]) / seconds
        if used >= 0.01:
            rows.append({"pid": pid, "command": command, "cores": round(used, 2)})
    out["cpu_cores"] = sorted(rows, key=lambda row: -row["cores"])[:12]
    out["cpu_total_cores"] = round(sum(row["cores"] for row in rows), 2)
    out["cpu_window_s"] = round(seconds, 1)


def _setting(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    if not key or not value:
        raise argparse.ArgumentTypeError(f"must be KEY=VALUE; got {text!r}")
    try:
        return key, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return key, value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.5)
    parser.add_argument("--set", type=_setting, action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--cpu-from", type=float, default=40.0, help="seconds after the start the CPU window opens")
    parser.add_argument("--cpu-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)

    from charles_core.live.live_config import LiveConfig
    from charles_core.live.live_run import LiveRun
    from charles_core.live.ray_support import connect

    settings = dict(args.set)
    config = LiveConfig(
        line="charles_pilotnet_v2",
        input_size=(72, 96),
        collectors=2,
        players=1,
        minutes=args.minutes,
        capacity=1500,
        batch_per_buffer=16,
        publish_every=50,
        checkpoint_every=10**6,
        collector_options={"cars": 4, "npc_max_speed": 65.0},
        **settings,
    )
    connect(None, num_cpus=4)
    cpu: dict = {}
    sampler = threading.Thread(target=_cpu_split, args=(args.cpu_from, args.cpu_seconds, cpu), daemon=True)
    run_dir = tempfile.mkdtemp(prefix="charles-live-settings-")
    run = LiveRun(config, run_dir=run_dir, progress=False, log=lambda *_: None)
    run.start()
    sampler.start()
    result = run.run()
    sampler.join(timeout=1)
    print(
        json.dumps(
            {
                "settings": settings,
                "batches": result["batches"],
                "seconds": result["seconds"],
                "samples_in": result["samples_in"],
                "samples_drawn": result["samples_drawn"],
                "unused_share": round(1 - result["samples_drawn"] / max(result["samples_in"], 1), 3),
                "trainer_waiting_s": result["waiting_for_data_s"],
                "trainer_waiting_before_first_batch_s": result["waiting_before_first_batch_s"],
                "collector_paused_s": [c["paused_s"] for c in result["collectors"]],
                **cpu,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
