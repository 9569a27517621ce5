"""One live run: the weights board, the trainer, collectors and players as Ray actors, and the driver's loop.

Example:

```text
from charles_core.live.live_config import LiveConfig
from charles_core.live.live_run import LiveRun

with LiveRun(LiveConfig(line="charles_pilotnet_v1", input_size=(48, 64), minutes=1, capacity=64)) as run:
    result = run.run()            # progress line, then the result dict
```
"""

from __future__ import annotations

import time
from pathlib import Path

from charles_core.errors import CharlesError
from charles_core.live.live_config import LiveConfig
from charles_core.live.live_timeout_error import LiveTimeoutError
from charles_core.live.ray_support import HIDE_GPUS, bounded_get, call_while_restarting, connect, import_ray

PROGRESS_EVERY_S = 2.0
_PASSED_ENV = ("CHARLES_CORE_BLOCK_PLUGINS", "TF_CPP_MIN_LOG_LEVEL", "SDL_VIDEODRIVER")


def _worker_env(hide_gpus: bool) -> dict:
    import os

    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if hide_gpus:
        env.update(HIDE_GPUS)
    return env


class LiveRun:
    """Starts, watches and stops one live run.

    Args:
        config: a :class:`LiveConfig`.
        address: a Ray cluster to join (``host:port``); ``None`` starts a local Ray instance.
        run_dir: the run directory (on the trainer's node); an existing one resumes its
            buffers and last checkpoint. ``None``: a new ``<run_root>/live-<time>``.
        run_root: the parent of new run directories.
        progress: show the progress line.
        log: where messages go.
        log_to_driver: forward the Ray processes' output to this terminal.
    """

    def __init__(
        self,
        config: LiveConfig,
        *,
        address: str | None = None,
        run_dir=None,
        run_root: str = "charles_runs",
        progress: bool = True,
        log=print,
        log_to_driver: bool = False,
    ):
        self.config, self.address, self.progress, self.log = config, address, progress, log
        self.log_to_driver = log_to_driver
        self._run_dir, self._run_root = run_dir, run_root
        self.ray = None
        self.started_ray = False
        self.board = self.trainer = None
        self.collectors: list = []
        self.players: list = []
        self.line = None
        self.buffer_names: tuple[str, ...] = ()
        self.trainer_gpu = False
        self.started_at = None

    # -- start ------------------------------------------------------------------------

    def __enter__(self) -> LiveRun:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self) -> None:
        """Start Ray (or join it), then the board, the trainer, the collectors and the players."""
        from charles_core import plugins
        from charles_core.collect.data_pipeline import default_run_dir

        config = self.config
        line = plugins.lines.get(config.line)
        plugins.collectors.get(config.collector)  # an unknown name: the registry's one-line error
        from charles_core.models.model_builder import check_input_size

        check_input_size(line, plugins.backbones.get(line.backbone), config.input_size)  # before any process starts
        self.ray = ray = import_ray()
        self.started_ray = connect(
            self.address, num_cpus=None if self.address else self._local_cpus(), log_to_driver=self.log_to_driver
        )
        self.run_dir = Path(self._run_dir) if self._run_dir else default_run_dir(self._run_root, "live")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log(f"run directory: {self.run_dir}")
        tag = f"{self.run_dir.name}-{int(time.time() * 1000) % 10**8}"
        self.board = (
            ray.remote(_board_class())
            .options(name=f"charles-board-{tag}", max_concurrency=16, max_restarts=-1, num_cpus=0)
            .remote()
        )
        self.trainer_gpu = config.trainer_gpu == "yes" or (
            config.trainer_gpu == "auto" and ray.cluster_resources().get("GPU", 0) >= 1
        )
        self.trainer = (
            ray.remote(_trainer_class())
            .options(
                name=f"charles-trainer-{tag}",
                max_restarts=config.trainer_restarts,
                max_concurrency=4,
                num_cpus=1,
                num_gpus=1 if self.trainer_gpu else 0,
                resources=self._resources(config.trainer_resource),
                runtime_env={"env_vars": _worker_env(hide_gpus=not self.trainer_gpu)},
            )
            .remote(config, str(self.run_dir), line, self.board)
        )
        try:
            described = bounded_get(
                ray,
                self.trainer.describe.remote(),
                config.start_timeout_s,
                "the trainer to start (TensorFlow, the model, the buffers)",
                "raise --start-timeout on a slow machine",
            )
        except ray.exceptions.RayActorError as error:
            raise CharlesError(f"the trainer could not start: {root_cause(error)}") from None
        self.line, self.buffer_names = described["line"], described["buffer_names"]
        self.first_batch = described["start_batch"]
        if described["resumed_from"]:
            self.log(f"resumed from {described['resumed_from']} (batch {described['start_batch']:,})")
        self.collectors = [self._start_collector(index) for index in range(config.collectors)]
        self.players = [self._start_player(index) for index in range(config.players)]
        for name, handle in self.workers():
            try:
                bounded_get(ray, handle.ping.remote(), config.start_timeout_s, f"{name} to start")
            except ray.exceptions.RayActorError as error:
                raise CharlesError(f"{name} could not start: {root_cause(error)}") from None
        self.started_at = time.monotonic()

    def _local_cpus(self) -> int:
        import os

        # logical slots, one per process: they share the machine's cores as any processes do
        return max(os.cpu_count() or 1, 1 + self.config.collectors + self.config.players)

    @staticmethod
    def _resources(name: str | None) -> dict:
        return {name: 1} if name else {}

    def _start_collector(self, index: int):
        config = self.config
        return (
            self.ray.remote(_collector_class())
            .options(
                name=None,
                max_restarts=config.collector_restarts,
                max_concurrency=2,
                num_cpus=1,
                resources=self._resources(config.collector_resource),
                runtime_env={"env_vars": _worker_env(hide_gpus=True)},
            )
            .remote(index, config, self.line, self.trainer, self.buffer_names)
        )

    def _start_player(self, index: int):
        config = self.config
        return (
            self.ray.remote(_player_class())
            .options(
                max_restarts=config.player_restarts,
                max_concurrency=2,
                num_cpus=1,
                resources=self._resources(config.player_resource),
                runtime_env={"env_vars": _worker_env(hide_gpus=True)},
            )
            .remote(index, config, self.line, self.board, self.trainer)
        )

    def workers(self) -> list[tuple[str, object]]:
        return [(f"collector {i}", handle) for i, handle in enumerate(self.collectors)] + [
            (f"player {i}", handle) for i, handle in enumerate(self.players)
        ]

    # -- watch ------------------------------------------------------------------------

    def trainer_status(self) -> dict:
        """The trainer's status; a restarting trainer answers once it is back (bounded by ``start_timeout_s``)."""
        return call_while_restarting(
            self.ray,
            self.trainer.status.remote,
            self.config.start_timeout_s,
            "the trainer's status",
            call_timeout_s=self.config.call_timeout_s,
        )

    def worker_status(self, handle, name: str) -> dict:
        """A collector's or player's status; ``{"error": ...}`` while it is being restarted."""
        ray = self.ray
        try:
            return bounded_get(ray, handle.status.remote(), self.config.call_timeout_s, f"{name}'s status")
        except (ray.exceptions.RayActorError, LiveTimeoutError) as error:
            return {"error": f"{type(error).__name__}: {str(error).splitlines()[0]}", "unreachable": True}

    def status(self) -> dict:
        return {
            "trainer": self.trainer_status(),
            "collectors": [self.worker_status(h, f"collector {i}") for i, h in enumerate(self.collectors)],
            "players": [self.worker_status(h, f"player {i}") for i, h in enumerate(self.players)],
        }

    def wait_for(self, predicate, timeout_s: float, what: str, every_s: float = 1.0) -> dict:
        """Poll :meth:`status` until ``predicate(status)``; LiveTimeoutError naming ``what`` after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.status()
            if predicate(status):
                return status
            if time.monotonic() > deadline:
                raise LiveTimeoutError(what, timeout_s)
            time.sleep(every_s)

    def run(self) -> dict:
        """Train until ``minutes`` or ``batches``, showing progress; then stop and return the result."""
        from tqdm.auto import tqdm

        if self.trainer is None:
            self.start()
        config = self.config
        deadline = None if config.minutes is None else self.started_at + config.minutes * 60
        bar = tqdm(
            total=config.batches,
            unit="batch",
            desc=f"live {self.line.name}",
            disable=not self.progress,
            dynamic_ncols=True,
        )
        try:
            while True:
                status = self.trainer_status()
                if status["error"]:
                    raise CharlesError(f"the trainer stopped: {status['error']}")
                bar.n = status["batch"]
                bar.set_postfix(self._postfix(status), refresh=True)
                if status["finished"] or (deadline is not None and time.monotonic() >= deadline):
                    break
                time.sleep(PROGRESS_EVERY_S)
        finally:
            bar.close()
        return self.stop()

    @staticmethod
    def _postfix(status: dict) -> dict:
        episodes = status["episodes"]
        published = status["published"] or {}
        return {
            "in": f"{status['samples_in_per_s']:.0f} samples/s",
            "batch/s": f"{status['batches_per_s']:.1f}",
            "weights": f"batch {published.get('batch', '-')}",
            "reward": f"{episodes[-1]['reward']:.0f}" if episodes else "-",
            "fill": "/".join(f"{v:.0%}" for v in status["fill"].values()),
        }

    # -- stop -------------------------------------------------------------------------

    def stop(self) -> dict:
        """Stop collectors and players, then the trainer (last checkpoint); returns the run's result."""
        ray, config = self.ray, self.config
        timeout = config.call_timeout_s
        seconds = time.monotonic() - self.started_at
        workers = {name: handle.stop.remote(timeout) for name, handle in self.workers()}
        finals = {}
        for name, ref in workers.items():
            try:
                finals[name] = bounded_get(ray, ref, timeout * 2, f"{name} to stop")
            except ray.exceptions.RayActorError as error:
                finals[name] = {"error": str(error).splitlines()[0]}
        trainer = bounded_get(ray, self.trainer.stop.remote(timeout), timeout * 2, "the trainer to stop")
        episodes = bounded_get(ray, self.trainer.episodes_all.remote(), timeout, "the trainer's episode list")
        collectors = [finals[f"collector {i}"] for i in range(len(self.collectors))]
        players = [finals[f"player {i}"] for i in range(len(self.players))]
        self._kill_all()
        return {
            "run_dir": str(self.run_dir),
            "line": self.line.name,
            "input_size": list(config.input_size),
            "seconds": round(seconds, 1),
            "batch": trainer["batch"],
            "start_batch": trainer["start_batch"],
            "batches": trainer["batch"] - self.first_batch,
            "trainer_restarts": trainer["incarnation"],
            "samples_in": trainer["samples_in"],
            "samples_in_per_s": trainer["samples_in_per_s"],
            "samples_drawn": trainer["samples_drawn"],
            "waiting_for_data_s": trainer["waiting_for_data_s"],
            "waiting_before_first_batch_s": trainer["waiting_before_first_batch_s"],
            "weights_batch": (trainer["published"] or {}).get("batch"),
            "checkpoint": trainer["checkpoint"],
            "trainer_gpu": self.trainer_gpu,
            "episodes": [{k: e[k] for k in ("player", "seed", "reward", "batch", "version")} for e in episodes],
            "collectors": [
                {
                    k: c.get(k)
                    for k in (
                        "sent",
                        "stored",
                        "lost",
                        "samples_per_s",
                        "paused_s",
                        "steps",
                        "restarted",
                        "error",
                        "peak_rss_mb",
                    )
                }
                for c in collectors
            ],
            "players": [
                {k: p.get(k) for k in ("episodes_total", "push_failures", "last_push_error", "error", "peak_rss_mb")}
                for p in players
            ],
            "pushes": [push for p in players for push in p.get("pushes", [])],
            "applied": [push for p in players for push in p.get("applied", [])],
            "trainer_peak_rss_mb": trainer["peak_rss_mb"],
            "tensorboard": str(self.run_dir / "logs"),
            "history": trainer.get("history", []),
        }

    def _kill_all(self) -> None:
        for _, handle in self.workers():
            self.ray.kill(handle, no_restart=True)
        for handle in (self.trainer, self.board):
            if handle is not None:
                self.ray.kill(handle, no_restart=True)
        self.collectors, self.players, self.trainer, self.board = [], [], None, None

    def close(self) -> None:
        """Kill whatever still runs and shut down a Ray instance this run started."""
        if self.ray is None:
            return
        if self.trainer is not None:
            self._kill_all()
        if self.started_ray:
            self.ray.shutdown()
            self.started_ray = False


def root_cause(error: BaseException) -> str:
    """The last ``SomeError: message`` line of a Ray error's text (the remote exception), else its first line."""
    import re

    lines = [line.strip() for line in str(error).splitlines()]
    causes = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Exit): ", line)]
    return causes[-1] if causes else (lines[0] if lines else type(error).__name__)


def _board_class():
    from charles_core.live.weights_board import WeightsBoard

    return WeightsBoard


def _trainer_class():
    from charles_core.live.live_trainer import LiveTrainer

    return LiveTrainer


def _collector_class():
    from charles_core.live.collector_worker import CollectorWorker

    return CollectorWorker


def _player_class():
    from charles_core.live.player_worker import PlayerWorker

    return PlayerWorker
