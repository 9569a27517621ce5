"""A collector process: one registered collector feeding the trainer, with bounded calls in flight.

Runs as a Ray actor created with ``max_restarts``: a killed collector process is
started again by Ray, and its ``__init__`` starts collecting again at once.
"""

from __future__ import annotations

import os
import threading
import time

from charles_core.live.live_config import LiveConfig
from charles_core.live.live_timeout_error import LiveTimeoutError
from charles_core.live.ray_support import call_while_restarting, lower_priority, peak_rss_mb

PAUSE_POLL_S = 0.05


class CollectorWorker:
    """Collects balanced samples and sends them to the trainer's ``ingest``.

    At most ``config.max_in_flight`` ingest calls are pending: beyond that the
    collector waits on ``ray.wait`` (bounded by ``config.call_timeout_s``), so a
    slow trainer slows the collector down instead of filling memory. Samples of a
    call lost with a dying trainer are counted (``lost``); the next calls go to
    the restarted trainer.

    Args:
        index: this collector's number (seeds, names).
        config: the run's :class:`LiveConfig`.
        line: the ``LineConfig`` trained.
        trainer: the trainer's actor handle.
        buffer_names: the trainer's buffers (the collector's balancer must match them).
    """

    def __init__(self, index: int, config: LiveConfig, line, trainer, buffer_names):
        import ray

        from charles_core import plugins
        from charles_core.errors import ConfigError

        self.index, self.config, self.trainer = index, config, trainer
        lower_priority(config.worker_nice)
        context = ray.get_runtime_context()
        self.restarted = context.was_current_actor_reconstructed
        # a restarted collector drives other tracks than the one it replaces
        seed = config.seed * 1000 + index + (100 * (os.getpid() % 1000) if self.restarted else 0)
        self.collector = plugins.collectors.get(config.collector).factory(
            line, config.input_size, seed=seed, **config.collector_options
        )
        if tuple(self.collector.buffer_names) != tuple(buffer_names):
            raise ConfigError(
                f"collector {config.collector!r} balances into {list(self.collector.buffer_names)}, "
                f"the trainer's buffers are {list(buffer_names)}"
            )
        self.sent = self.stored = self.lost = 0
        self.paused_s = 0.0
        self.started = time.time()
        self.error: str | None = None
        self.finished = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"charles-live-collector-{index}", daemon=True)
        self._thread.start()

    @property
    def name(self) -> str:
        return f"collector {self.index}"

    def _settle(self, ray, done) -> None:
        for ref in done:
            count = self._in_flight.pop(ref)
            try:
                stored, self._enough = ray.get(ref)
                self.stored += stored
            except ray.exceptions.RayActorError:
                self.lost += count  # in flight when the trainer died
                self._trainer_down = True

    def _send(self, ray, ready: dict, count: int) -> None:
        while len(self._in_flight) >= self.config.max_in_flight:
            done, _ = ray.wait(list(self._in_flight), num_returns=1, timeout=self.config.call_timeout_s)
            if not done:
                raise LiveTimeoutError(
                    f"the trainer to take {self.name}'s samples (ingest)", self.config.call_timeout_s
                )
            self._settle(ray, done)
        if self._trainer_down:  # hold these samples until the restarted trainer answers
            call_while_restarting(
                ray,
                self.trainer.ping.remote,
                self.config.start_timeout_s,
                f"the trainer to come back ({self.name})",
                stop=self._stop,
                call_timeout_s=self.config.call_timeout_s,
            )
            self._trainer_down = False
            if self._stop.is_set():
                return
        self._in_flight[self.trainer.ingest.remote(ready, self.name)] = count
        self.sent += count

    def _wait_for_room(self, ray) -> None:
        """The buffers are nearly full: more samples would only replace unused ones; leave the cores to the trainer."""
        started = time.monotonic()
        while not self._stop.is_set():
            try:
                if not ray.get(self.trainer.enough.remote(), timeout=self.config.call_timeout_s):
                    break
            except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
                break  # the send path rides out a restarting trainer, bounded
            self._stop.wait(PAUSE_POLL_S)
        self._enough = False
        self.paused_s += time.monotonic() - started

    def _run(self) -> None:
        import ray

        self._in_flight: dict = {}
        self._trainer_down = False
        self._enough = False
        try:
            while not self._stop.is_set() and not self.collector.finished:
                if self._enough and self.config.pause_when_full:
                    self._wait_for_room(ray)
                ready = self.collector.collect(self.config.ingest_samples)
                count = sum(len(samples) for samples in ready.values())
                if count:
                    self._send(ray, ready, count)
        except BaseException as error:
            self.error = f"{type(error).__name__}: {error}"
        finally:
            self.finished = True

    def status(self) -> dict:
        import ray

        seconds = max(time.time() - self.started, 1e-9)
        return {
            "index": self.index,
            "sent": self.sent,
            "stored": self.stored,
            "lost": self.lost,
            "in_flight": len(getattr(self, "_in_flight", {})),
            "paused_s": round(self.paused_s, 1),
            "samples_per_s": round(self.sent / seconds, 1),
            "steps": getattr(self.collector, "steps", None),  # simulator steps, where the collector has them
            "restarted": self.restarted,
            "error": self.error,
            "finished": self.finished,
            "pid": os.getpid(),
            "node": ray.get_runtime_context().get_node_id(),
            "peak_rss_mb": peak_rss_mb(),
        }

    def stop(self, timeout_s: float) -> dict:
        import ray

        self._stop.set()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            raise LiveTimeoutError(f"{self.name}'s current collect() call to return", timeout_s)
        if self._in_flight:  # let the last calls land, bounded
            done, _ = ray.wait(list(self._in_flight), num_returns=len(self._in_flight), timeout=timeout_s)
            self._settle(ray, done)
        self.collector.close()
        return self.status()

    def ping(self) -> int:
        return os.getpid()
