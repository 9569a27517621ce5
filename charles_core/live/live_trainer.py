"""The live trainer: buffers, storage and checkpoints in one process, training while it ingests.

It runs as a Ray actor (``charles_core.live.live_run`` creates it with
``max_restarts``). Training runs in its own thread; ``ingest`` calls add balanced
samples to the buffers meanwhile, under one lock. The buffers live on disk (the
storage), so a restarted trainer reopens them full and resumes from its last
checkpoint with the batch counter where that checkpoint left it. Every
``publish_every`` batches the weights go to the weights board.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from charles_core.errors import ConfigError
from charles_core.live.live_config import LiveConfig
from charles_core.live.live_timeout_error import LiveTimeoutError
from charles_core.live.ray_support import peak_rss_mb, set_tensorflow_threads

STATE_FILE = "live_trainer.json"
KEEP_EPISODES = 200


class _Stopped(Exception):
    """Raised in the batch thread to end a wait for samples when the run stops."""


class _LiveFeed:
    """A batch source on the shared buffers: waits for ``ingest`` (not a refill) while training must pause."""

    def __init__(self, owner: LiveTrainer, seed: int):
        import numpy as np

        self.owner = owner
        self.rng = np.random.default_rng(seed)

    def next_batch(self, n_per_buffer: int) -> dict:
        owner = self.owner
        started = time.monotonic()
        with owner.data_ready:
            while not owner.buffers.can_train:
                if owner.stopping.is_set():
                    raise _Stopped()
                waited = time.monotonic() - started
                if waited > owner.config.data_timeout_s:
                    raise LiveTimeoutError(
                        f"samples from the collectors (the buffers hold {owner.buffers.counts()} "
                        f"of {owner.config.capacity} each)",
                        waited,
                        "are the collectors running? (`charles live --collectors N`)",
                    )
                before = time.monotonic()
                owner.data_ready.wait(0.5)  # an ingest wakes it early
                owner.waiting_s += time.monotonic() - before
            batch = owner.buffers.draw(n_per_buffer, self.rng)
            owner.samples_drawn += len(batch["buffer"])
            return batch

    def fill_levels(self) -> dict[str, float]:
        with self.owner.data_ready:
            return self.owner.buffers.fill_levels()


def collectors_may_rest(buffers, pause_fill: float) -> bool:
    """Whether the trainer trains on ``buffers`` and each holds at least ``pause_fill`` of its capacity.

    Before the first batch (and after a pause) training waits for full buffers,
    so collectors rest only once it trains: resting at ``pause_fill`` below 1
    before that would never let the buffers fill.
    """
    return buffers.can_train and min(buffers.fill_levels().values()) >= pause_fill


class LiveTrainer:
    """Trains the line continuously on what collectors send; publishes weights; keeps the run's state.

    Args:
        config: the run's :class:`LiveConfig`.
        run_dir: the run directory (buffers, checkpoints, logs; shared by every incarnation).
        line: the ``LineConfig`` trained (a resumed run's checkpoint must hold the same).
        board: the weights board's actor handle (``None``: publish nowhere, tests).
    """

    def __init__(self, config: LiveConfig, run_dir, line, board=None):
        set_tensorflow_threads(config.trainer_threads)
        from charles_core.collect.data_pipeline import make_balancer, make_buffers
        from charles_core.training.checkpoints import CHECKPOINT_DIR, latest_checkpoint
        from charles_core.training.trainer import Trainer
        from charles_core.training.training_config import TrainingConfig

        self.config, self.run_dir, self.board = config, Path(run_dir), board
        self.incarnation = self._count_start()
        balancer = make_balancer(line, bins="coarse")  # only its buffer names and label mode matter here
        self.buffer_names = tuple(balancer.buffer_names)
        self.buffers = make_buffers(line, self.run_dir / "buffers", config.input_size, balancer, config.capacity)
        resume = latest_checkpoint(self.run_dir / CHECKPOINT_DIR, line.name)
        training = TrainingConfig(
            batch_per_buffer=config.batch_per_buffer,
            checkpoint_every=config.checkpoint_every,
            log_every=10,
            seed=config.seed + self.incarnation,
            progress=False,
            prefetch_nice=0,
            weight_average=config.weight_average,
        )
        self.trainer = Trainer(
            None if resume else line, self.run_dir, input_size=config.input_size, config=training, resume=resume
        )
        self.line = self.trainer.line
        self.resumed_from = str(resume) if resume else None
        self.start_batch = self.trainer.batch
        self.data_ready = threading.Condition()
        self.stopping = threading.Event()
        self.samples_in = 0
        self.samples_drawn = 0  # each drawn sample leaves the buffers: samples_in minus this were never used
        self.lost_in_ingest = 0
        self.first_ingest: float | None = None
        self.waiting_s = 0.0
        self.fill_waiting_s: float | None = None
        self.started = time.time()
        self.batch_times: list[tuple[float, int]] = []
        self.published: dict | None = None
        self._published_refs: list = []
        self.episodes: list[dict] = []
        self.error: str | None = None
        self.finished = False
        self._reward_writer = None
        self._publish()  # players drive the resumed (or initial) weights at once
        self._thread = threading.Thread(target=self._train, name="charles-live-trainer", daemon=True)
        self._thread.start()

    # -- state kept in the run directory ------------------------------------------

    def _count_start(self) -> int:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        path = self.run_dir / STATE_FILE
        starts = json.loads(path.read_text())["starts"] if path.exists() else 0
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"starts": starts + 1}))
        os.replace(temporary, path)
        return starts  # 0 on the first start, then the number of restarts

    # -- the training thread -------------------------------------------------------

    def _train(self) -> None:
        until = self.config.batches or 10**12
        try:
            if self.trainer.batch < until:
                self.trainer.train(
                    _LiveFeed(self, self.config.seed + self.incarnation), until_batch=until, on_batch=self._on_batch
                )
        except _Stopped:
            pass
        except BaseException as error:  # reported by status(); the driver stops the run with it
            self.error = f"{type(error).__name__}: {error}"
        finally:
            self.finished = True

    def _on_batch(self, number: int, logs: dict) -> None:
        if self.fill_waiting_s is None:  # the wait for the first full buffers, apart from later waits
            self.fill_waiting_s = self.waiting_s
        self.batch_times.append((time.time(), number))
        del self.batch_times[:-200]
        if number % self.config.publish_every == 0:
            self._publish()
        if self.stopping.is_set():
            self.trainer.model.stop_training = True

    def _publish(self) -> None:
        if self.board is None:
            return
        import ray

        from charles_core.training.moving_average import moving_average_weights

        published_at = time.time()
        with moving_average_weights(self.trainer.model):  # what its checkpoints hold
            ref = ray.put(self.trainer.model.get_weights())
        # the trainer owns the weights: keep the last few alive while players fetch them
        self._published_refs = (self._published_refs + [ref])[-3:]
        self.board.publish.remote(self.trainer.batch, [ref], published_at)
        self.published = {"batch": self.trainer.batch, "published_at": published_at}

    # -- calls from collectors, players and the driver ----------------------------

    def ingest(self, ready: dict, sender: str = "") -> tuple[int, bool]:
        """Add balanced samples (``{buffer name: [Sample, ...]}``); returns (stored, whether collectors may rest)."""
        unknown = set(ready) - set(self.buffer_names)
        if unknown:
            raise ConfigError(
                f"{sender or 'a collector'} sent samples for buffers {sorted(unknown)}; this "
                f"trainer's buffers are {list(self.buffer_names)} (same line and balancing?)"
            )
        with self.data_ready:
            stored = sum(self.buffers.add_ready(ready).values())
            enough = self._enough()
            self.data_ready.notify_all()
        self.samples_in += stored
        if self.first_ingest is None:
            self.first_ingest = time.time()
        return stored, enough

    def enough(self) -> bool:
        """Whether collectors may rest: it trains and every buffer holds ``pause_fill`` of its capacity."""
        with self.data_ready:
            return self._enough()

    def _enough(self) -> bool:
        return collectors_may_rest(self.buffers, self.config.pause_fill)

    def report_episode(self, report: dict) -> None:
        """A player's episode: kept for status and written as the TensorBoard scalar reward-vs-batch."""
        import tensorflow as tf

        self.episodes = (self.episodes + [dict(report)])[-KEEP_EPISODES:]
        if self._reward_writer is None:
            self._reward_writer = tf.summary.create_file_writer(str(self.run_dir / "logs" / "live"))
        with self._reward_writer.as_default(step=int(report["batch"])):
            tf.summary.scalar("live/episode_reward", float(report["reward"]))
        self._reward_writer.flush()

    def describe(self) -> dict:
        """What the other processes need: the line, the buffer names, where training resumed."""
        return {
            "line": self.line,
            "buffer_names": self.buffer_names,
            "start_batch": self.start_batch,
            "resumed_from": self.resumed_from,
            "incarnation": self.incarnation,
        }

    def status(self) -> dict:
        import ray

        now = time.time()
        recent = [(t, n) for t, n in self.batch_times if now - t <= 30]
        rate = (recent[-1][1] - recent[0][1]) / (recent[-1][0] - recent[0][0]) if len(recent) > 1 else 0.0
        in_for = now - self.first_ingest if self.first_ingest else 0.0
        with self.data_ready:
            fill = self.buffers.fill_levels()
        return {
            "batch": self.trainer.batch,
            "start_batch": self.start_batch,
            "incarnation": self.incarnation,
            "batches_per_s": round(rate, 2),
            "samples_in": self.samples_in,
            "samples_in_per_s": round(self.samples_in / in_for, 1) if in_for > 0 else 0.0,
            "samples_drawn": self.samples_drawn,
            "fill": {name: round(level, 3) for name, level in fill.items()},
            "published": self.published,
            "episodes": list(self.episodes[-20:]),
            "episodes_total": len(self.episodes),
            "waiting_for_data_s": round(self.waiting_s, 1),
            "waiting_before_first_batch_s": round(self.fill_waiting_s or 0.0, 1),
            "checkpoint": str(self.trainer.last_checkpoint or self.resumed_from or ""),
            "error": self.error,
            "finished": self.finished,
            "pid": os.getpid(),
            "node": ray.get_runtime_context().get_node_id(),
            "peak_rss_mb": peak_rss_mb(),
        }

    def episodes_all(self) -> list[dict]:
        return list(self.episodes)

    def stop(self, timeout_s: float) -> dict:
        """Stop training, write the last checkpoint, close the buffers; returns the final status."""
        self.stopping.set()
        with self.data_ready:
            self.data_ready.notify_all()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            raise LiveTimeoutError("the trainer's current batch to finish", timeout_s)
        from charles_core.training.checkpoints import parse_checkpoint_name

        last = self.trainer.last_checkpoint
        if last is None or parse_checkpoint_name(last)[1] != self.trainer.batch:
            self.trainer.save()
        status = self.status()
        # every 10th kept entry (every 10th batch until the history thins): enough for a loss plot
        status["history"] = self.trainer.history[::10]
        with self.data_ready:
            self.buffers.close()
        return status

    def ping(self) -> int:
        return os.getpid()
