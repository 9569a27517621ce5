"""Wiring a line's data path: source (simulator NPC or a recording) -> balancer -> buffers.

Both sources fill the same :class:`BufferSet` through the line's balancer, so
``charles train`` and the quickstart train alike whatever the data.
"""

from __future__ import annotations

from pathlib import Path

from charles_core import plugins
from charles_core.data.bins import BinSpec
from charles_core.errors import DataError, StorageError
from charles_core.lines.line_config import LineConfig

#: Coarse bins for simulator data. The spec's bins (0.1 wide, 21 per output) need
#: far more driving than two CPU cores give in minutes: the NPC's steering is mostly
#: small and a set completes only when every bin has a sample. These keep most
#: samples and still balance what matters: left / straight / right, and slowing
#: down (brake, coast, light gas) against accelerating.
COARSE_BINS = {
    "steering": BinSpec(edges=(-1.0, -0.05, 0.05, 1.0)),
    "throttle": BinSpec(edges=(-1.0, 0.5, 1.0)),
    "acceleration": BinSpec(edges=(0.0, 0.5, 1.0)),
    "braking": BinSpec(edges=(0.0, 0.02, 1.0)),
}
BIN_CHOICES = ("spec", "coarse")


def make_balancer(line: LineConfig, bins: str = "spec"):
    """The line's balancer (``line.balancing``) with the spec's or the coarse bins."""
    options = {}
    if bins == "coarse":
        options["bins"] = {name: COARSE_BINS[name] for name in line.output_names}
    elif bins != "spec":
        raise DataError(f"bins must be one of {BIN_CHOICES}; got {bins!r}")
    if line.balancing == "v1":
        options["skip_impossible"] = len(line.outputs) == 3  # both pedals at once never occurs
    return plugins.balancers.get(line.balancing).factory(line.output_names, **options)


def make_buffers(line: LineConfig, directory, input_size, balancer, capacity: int | None = None):
    """The line's buffers: one per balancer buffer, frames at ``input_size``.

    History lines store each sample's history too (``history_shapes`` from
    ``line.history``: ``(steps,)`` per signal, ``(steps, 2)`` for purpose).
    Recurrent-only lines (0008 v5, v6) still store frames (the collector
    records them), though their model never sees them.

    Args:
        line: the line.
        directory: where the buffers live.
        input_size: ``(height, width)`` of stored frames.
        balancer: its ``buffer_names`` and ``label_mode`` shape the set.
        capacity: samples per buffer (default: the line's 25,000).

    Example:

    ```text
    buffers = make_buffers(line, "run/buffers", (75, 75), make_balancer(line), capacity=500)
    ```
    """
    from charles_core.codec.history_inputs import history_signal_shapes
    from charles_core.data.buffer_set import BufferSet

    height, width = input_size
    frame_shape = (height * line.frames, width, 3)  # several frames: one tall image, oldest on top
    return BufferSet(
        directory,
        balancer.buffer_names,
        frame_shape,
        capacity=line.buffer_capacity if capacity is None else capacity,
        label_mode=balancer.label_mode,
        history_shapes=history_signal_shapes(line),
    )


def make_sim_collector(
    line: LineConfig,
    input_size,
    balancer,
    buffers,
    seeds,
    seed: int = 0,
    mirror: bool = True,
    action_repeat: int = 2,
    cars: int = 8,
    driver=None,
    environment: str = "car_racing",
    **collector_settings,
):
    """NPC-driven cars on the embedded simulator feeding ``balancer -> buffers``.

    One sample per 25 Hz step of each car, the cars taking turns (see ``Collector``).
    ``driver`` is the NPC (default: ``ExpertDriver()``); ``environment`` a
    registered environment's name (each car is one session of it);
    ``collector_settings`` more :class:`~charles_core.collect.collector.CollectorConfig`
    fields (perturbations, ``takeover_distance``).
    """
    from charles_core.collect.collector import Collector, CollectorConfig
    from charles_core.sim.environments import open_environment
    from charles_core.sim.expert_driver import ExpertDriver

    sessions = [open_environment(environment, seed=seeds[0], action_repeat=action_repeat) for _ in range(cars)]
    return Collector(
        sessions,
        driver or ExpertDriver(),
        line,
        input_size,
        balancer,
        buffers,
        CollectorConfig(seeds=tuple(seeds), mirror=mirror, seed=seed, **collector_settings),
    )


def fill_buffers(feeder, buffers, progress: bool = True) -> None:
    """Run ``feeder.step()`` until every buffer is full, with a progress bar."""
    from tqdm.auto import tqdm

    capacity = buffers.config.capacity
    total = capacity * len(buffers.outputs)
    with tqdm(total=total, desc="filling buffers", unit="sample", disable=not progress) as bar:
        steps = 0
        while not buffers.ready:
            feeder.step()
            steps += 1
            if steps % 50 == 0:
                bar.n = sum(min(c, capacity) for c in buffers.counts().values())
                bar.refresh()
        bar.n = total
        bar.refresh()


def default_run_dir(root, name: str) -> Path:
    """Create and return a new run directory ``root/<name>-<YYYYmmdd-HHMMSS>``.

    Two runs started in the same second get ``...-2``, ``...-3``: the directory is
    created with ``exist_ok=False``, so a name another process took meanwhile is
    never shared.

    Args:
        root: the parent (``--run-root``), created if missing.
        name: the line id.

    Raises:
        StorageError: ``root`` is a file, or not writable.
    """
    import time

    stamp = f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, 1000):
            path = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
            try:
                path.mkdir(exist_ok=False)
                return path
            except FileExistsError:
                continue
    except (NotADirectoryError, FileExistsError):
        raise StorageError(f"run root {root} is not a directory: name a directory with --run-root") from None
    except PermissionError as error:
        raise StorageError(
            f"cannot create a run directory in {root}: {error.strerror}; choose another --run-root"
        ) from None
    raise StorageError(f"{root} already holds 999 run directories named {stamp}: choose another --run-root")


def buffer_bytes(line: LineConfig, input_size, balancer, capacity: int | None = None) -> int:
    """Disk space :func:`make_buffers` reserves for the frames: buffers x capacity x frame bytes."""
    height, width = input_size
    capacity = line.buffer_capacity if capacity is None else capacity
    return len(balancer.buffer_names) * capacity * height * line.frames * width * 3
