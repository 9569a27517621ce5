"""The built-in ``sim`` collector: NPC-driven simulator cars, balanced where the samples are made.

It wraps the in-process :class:`~charles_core.collect.collector.Collector` (several cars
driven in turn by the scripted NPC, perturbations, mirroring) and hands out the balanced
sets the line's balancer emits instead of writing them into buffers, so a live collector
process ships balanced samples to the trainer ("collectors balance before they send").

Example:

```text
from charles_core import plugins
collector = plugins.collectors.get("sim").factory(line, (48, 64), seed=0, cars=2)
ready = collector.collect(64)   # {"steering": [Sample, ...], "throttle": [...]}
collector.close()
```
"""

from __future__ import annotations

from charles_core.data.sample import Sample
from charles_core.errors import ConfigError
from charles_core.lines.line_config import LineConfig


class _Outbox:
    """Stands where the Collector expects buffers: keeps the balanced sets instead of storing them."""

    def __init__(self, buffer_names):
        self.outputs = tuple(buffer_names)
        self.ready: dict[str, list[Sample]] = {name: [] for name in self.outputs}

    def add(self, output: str, sample: Sample) -> bool:
        self.ready[output].append(sample)
        return True

    def add_ready(self, ready) -> dict[str, int]:
        counts = {}
        for name, samples in ready.items():
            samples = list(samples)
            self.ready[name].extend(samples)
            counts[name] = len(samples)
        return counts

    def take(self) -> dict[str, list[Sample]]:
        taken = {name: samples for name, samples in self.ready.items() if samples}
        self.ready = {name: [] for name in self.outputs}
        return taken


class SimCollector:
    """NPC-driven simulator cars -> the line's balancer -> balanced samples per buffer.

    Args:
        line: the line being trained (frames per sample, balancing, outputs).
        input_size: ``(height, width)`` of the recorded frames.
        seed: seed of the perturbations and of the track order (each collector process
            gets its own, so two processes do not drive the same tracks in step).
        seeds: training track seeds (default ``training_seeds(60)``; evaluation tracks are refused).
        cars: cars driven in turn (more cars: balanced sets complete sooner).
        bins: ``"coarse"`` (default, simulator data) or ``"spec"``: the balancer's bins.
        mirror: also record every sample mirrored left-right.
        action_repeat: simulator steps per recorded sample.
        environment: a registered environment's name.
        npc_max_speed: the NPC's top speed (world units/s; ``None``: its own default). The
            quickstart's 65 is a little below its fastest, which a clone follows far better.
        max_steps_per_call: the most simulator steps one :meth:`collect` call takes, so
            a call returns in bounded time even when the balancer completes no set.
        perturb_probability, perturb_steps, perturb_min_steps, perturb_steering,
            perturb_min_steering, takeover_distance: the perturbations of the executed
            steering and the NPC's takeover, as in
            :class:`~charles_core.collect.collector.CollectorConfig` (its defaults, which
            are the quickstart's, when not given).
    """

    def __init__(
        self,
        line: LineConfig,
        input_size,
        *,
        seed: int = 0,
        seeds=None,
        cars: int = 4,
        bins: str = "coarse",
        mirror: bool = True,
        action_repeat: int = 2,
        environment: str = "car_racing",
        max_steps_per_call: int = 2000,
        npc_max_speed: float | None = None,
        perturb_probability: float | None = None,
        perturb_steps: int | None = None,
        perturb_min_steps: int | None = None,
        perturb_steering: float | None = None,
        perturb_min_steering: float | None = None,
        takeover_distance: float | None = None,
    ):
        from charles_core.collect.data_pipeline import make_balancer, make_sim_collector
        from charles_core.sim.expert_driver import ExpertDriver
        from charles_core.sim.track_split import check_training_seeds, training_seeds

        if cars < 1:
            raise ConfigError(f"sim collector: cars must be at least 1; got {cars}")
        if npc_max_speed is not None and not npc_max_speed > 0:
            raise ConfigError(f"sim collector: npc_max_speed must be positive; got {npc_max_speed}")
        if max_steps_per_call < 1:
            raise ConfigError(f"sim collector: max_steps_per_call must be at least 1; got {max_steps_per_call}")
        seeds = training_seeds(60) if seeds is None else check_training_seeds(seeds)
        # each process starts at its own place in the track list
        offset = (int(seed) * 7) % len(seeds)
        seeds = tuple(seeds[offset:]) + tuple(seeds[:offset])
        self.line = line
        self.balancer = make_balancer(line, bins=bins)
        self.buffer_names = tuple(self.balancer.buffer_names)
        self._outbox = _Outbox(self.buffer_names)
        self.max_steps_per_call = int(max_steps_per_call)
        self.finished = False  # the simulator never runs out
        perturbations = {
            name: value
            for name, value in (
                ("perturb_probability", perturb_probability),
                ("perturb_steps", perturb_steps),
                ("perturb_min_steps", perturb_min_steps),
                ("perturb_steering", perturb_steering),
                ("perturb_min_steering", perturb_min_steering),
                ("takeover_distance", takeover_distance),
            )
            if value is not None
        }
        self._collector = make_sim_collector(
            line,
            tuple(input_size),
            self.balancer,
            self._outbox,
            seeds,
            seed=int(seed),
            mirror=mirror,
            action_repeat=action_repeat,
            cars=cars,
            environment=environment,
            driver=None if npc_max_speed is None else ExpertDriver(max_speed=float(npc_max_speed)),
            **perturbations,
        )

    @property
    def steps(self) -> int:
        """Simulator steps taken so far (all cars)."""
        return self._collector.steps

    def collect(self, max_samples: int) -> dict[str, list[Sample]]:
        """Drive until about ``max_samples`` balanced samples are ready (or ``max_steps_per_call`` steps).

        A balanced set is never split, so a call may return a few more than
        ``max_samples``; it may return fewer (even none) when the step limit came first.
        """
        if max_samples < 1:
            raise ConfigError(f"collect(max_samples) needs max_samples >= 1; got {max_samples}")
        ready = 0
        for _ in range(self.max_steps_per_call):
            ready += self._collector.step()
            if ready >= max_samples:
                break
        return self._outbox.take()

    def close(self) -> None:
        self._collector.close()
