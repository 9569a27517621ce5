"""A player process: drives the simulator with the latest published weights, one episode at a time.

A background thread long-polls the weights board and fetches each new weight
set as soon as it is published (the push); the driving loop swaps it in only
at an episode boundary (never mid-manoeuvre) and reports every episode's
reward with the version it drove. A push that fails (the weights cannot be
fetched in time, their owner died, or they do not fit the model) is counted
and the player keeps driving on the weights it has.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np

from charles_core.errors import DataError
from charles_core.live.live_config import LiveConfig
from charles_core.live.live_timeout_error import LiveTimeoutError
from charles_core.live.ray_support import lower_priority, peak_rss_mb, set_tensorflow_threads

POLL_S = 2.0  # one long-poll of the board; short enough to notice a stop


def check_weights(shapes, weights) -> None:
    """Refuse a weight list that does not fit a model with weight ``shapes``.

    Raises:
        DataError: a count or shape that differs, naming the first mismatch.
    """
    if not isinstance(weights, (list, tuple)) or len(weights) != len(shapes):
        count = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
        raise DataError(f"the pushed weight set holds {count} arrays, the model {len(shapes)}")
    for index, (new, shape) in enumerate(zip(weights, shapes)):
        if np.shape(new) != tuple(shape):
            raise DataError(f"pushed weight array {index} has shape {np.shape(new)}, the model's {tuple(shape)}")


def swap_weights(model, weights) -> None:
    """Set ``weights`` on ``model`` only if every array fits (no half-swapped model).

    Raises:
        DataError: a count or shape that differs, naming the first mismatch.
    """
    check_weights([np.shape(w) for w in model.get_weights()], weights)
    model.set_weights(weights)


class PlayerWorker:
    """Drives episodes with the latest weights and reports them to the trainer.

    Args:
        index: this player's number.
        config: the run's :class:`LiveConfig`.
        line: the ``LineConfig`` trained.
        board: the weights board's actor handle.
        trainer: the trainer's actor handle (episode reports).
    """

    def __init__(self, index: int, config: LiveConfig, line, board, trainer):
        # weights published before this player existed reach it at its start: start-up, not a push
        self._created = time.time()
        lower_priority(config.worker_nice)
        set_tensorflow_threads(config.worker_threads)
        from charles_core.collect.model_policy import ModelPolicy
        from charles_core.models import create_model

        self.index, self.config, self.board, self.trainer = index, config, board, trainer
        self.model = create_model(line, input_size=config.input_size, seed=config.seed)
        self.policy = ModelPolicy(self.model, config.input_size)
        self._shapes = [np.shape(w) for w in self.model.get_weights()]
        self.driving: dict | None = None  # the entry of the weights driven now
        self._seen: tuple[str | None, int] = (None, 0)
        self._pending: tuple[dict, list, float] | None = None
        self._lock = threading.Lock()
        self.push_failures = 0
        self.last_push_error: str | None = None
        self.pushes: list[dict] = []  # per fetched version published while it ran: publish -> in this process
        self.first_weights: dict | None = None  # a version published before it started: publish -> in it
        self.applied: list[dict] = []  # per version driven: publish -> driving (waits for an episode's end)
        self.episodes: list[dict] = []
        self.error: str | None = None
        self.finished = False
        self._stop = threading.Event()
        self._first = threading.Event()
        self._fetcher = threading.Thread(target=self._fetch, name=f"charles-live-fetch-{index}", daemon=True)
        self._driver = threading.Thread(target=self._drive, name=f"charles-live-player-{index}", daemon=True)
        self._fetcher.start()
        self._driver.start()

    @property
    def name(self) -> str:
        return f"player {self.index}"

    # -- the push: fetch each new weight set as soon as it is published ------------------

    def _fetch(self) -> None:
        import ray

        while not self._stop.is_set():
            try:
                epoch, version = self._seen
                entry = ray.get(
                    self.board.wait_newer.remote(epoch, version, POLL_S), timeout=POLL_S + self.config.call_timeout_s
                )
                if entry is None:
                    continue
                self._seen = (entry["epoch"], entry["version"])
                weights = ray.get(entry["refs"][0], timeout=self.config.call_timeout_s)
                check_weights(self._shapes, weights)  # a bad set is refused here, not at the swap
                fetched_at = time.time()
                with self._lock:
                    self._pending = (entry, weights, fetched_at)
                record = {"version": entry["version"], "seconds": round(fetched_at - entry["published_at"], 4)}
                if entry["published_at"] < self._created:
                    self.first_weights = record
                else:
                    self.pushes = (self.pushes + [record])[-500:]
                self._first.set()
            except Exception as error:  # a failed push: keep the weights we have, try the next one
                self.push_failures += 1
                self.last_push_error = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
                self._stop.wait(0.5)

    def _swap(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is None:
            return
        entry, weights, _ = pending
        try:
            swap_weights(self.model, weights)
        except DataError as error:
            self.push_failures += 1
            self.last_push_error = f"DataError: {error}"
            return
        now = time.time()
        self.driving = {key: entry[key] for key in ("version", "batch", "epoch", "published_at")}
        if entry["published_at"] >= self._created:
            self.applied = (
                self.applied + [{"version": entry["version"], "seconds": round(now - entry["published_at"], 4)}]
            )[-500:]

    # -- the driving loop --------------------------------------------------------------

    def _drive(self) -> None:
        from charles_core.sim.car_racing_session import CarRacingSession

        config = self.config
        try:
            if not self._first.wait(config.start_timeout_s):
                raise LiveTimeoutError(
                    f"the first weights from the weights board ({self.name})", config.start_timeout_s
                )
            seeds = config.player_seeds
            pending_reports: list = []
            with CarRacingSession(
                seed=seeds[0], max_steps=config.player_max_steps, action_repeat=config.action_repeat
            ) as session:
                episode = 0
                while not self._stop.is_set():
                    self._swap()  # new weights only here, at an episode boundary
                    seed = seeds[(self.index + episode * max(1, config.players)) % len(seeds)]
                    session.reset(seed)
                    self.policy.reset()
                    started = time.perf_counter()
                    period = 1.0 / config.player_hz if config.player_hz else 0.0
                    next_step = time.monotonic()
                    while not session.done and not self._stop.is_set():
                        session.apply(self.policy(session))
                        if period:  # real time: the cores left go to the trainer and the collectors
                            next_step = max(next_step + period, time.monotonic() - period)
                            self._stop.wait(max(0.0, next_step - time.monotonic()))
                    if self._stop.is_set():
                        break
                    episode += 1
                    report = {
                        "player": self.index,
                        "episode": episode,
                        "seed": seed,
                        "reward": round(float(session.episode_reward), 2),
                        "steps": session.steps,
                        "lap_finished": bool(session.lap_finished),
                        "version": self.driving["version"],
                        "batch": self.driving["batch"],
                        "seconds": round(time.perf_counter() - started, 2),
                    }
                    self.episodes = (self.episodes + [report])[-200:]
                    pending_reports = self._report(pending_reports, report)
        except BaseException as error:
            self.error = f"{type(error).__name__}: {error}"
        finally:
            self.finished = True

    def _report(self, pending: list, report: dict) -> list:
        """Send a report; at most ``max_in_flight`` pending (a stalled trainer drops reports, not memory)."""
        import ray

        if pending:
            _, pending = ray.wait(pending, num_returns=len(pending), timeout=0)
        if len(pending) < self.config.max_in_flight:
            pending = pending + [self.trainer.report_episode.remote(report)]
        return pending

    def status(self) -> dict:
        import ray

        return {
            "index": self.index,
            "driving": self.driving,
            "episodes": list(self.episodes[-20:]),
            "episodes_total": len(self.episodes),
            "push_failures": self.push_failures,
            "last_push_error": self.last_push_error,
            "pushes": list(self.pushes),
            "first_weights": self.first_weights,
            "applied": list(self.applied),
            "error": self.error,
            "finished": self.finished,
            "pid": os.getpid(),
            "node": ray.get_runtime_context().get_node_id(),
            "peak_rss_mb": peak_rss_mb(),
        }

    def stop(self, timeout_s: float) -> dict:
        self._stop.set()
        self._driver.join(timeout_s)
        self._fetcher.join(timeout_s)
        if self._driver.is_alive():
            raise LiveTimeoutError(f"{self.name}'s current step to finish", timeout_s)
        return self.status()

    def ping(self) -> int:
        return os.getpid()
