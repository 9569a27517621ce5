"""The trainer: batches from the buffers, a loss per output, checkpoints, logs.

Batches come from a *batch source* (``next_batch(n_per_buffer) -> dict``,
e.g. :class:`~charles_core.collect.buffer_feed.BufferFeed`) and are turned
into model data in a background thread, so drawing the next batch overlaps
training the current one. On one device each batch goes to
``train_on_batch``; under a ``tf.distribute`` strategy they go through
``tf.data`` to ``model.fit``, which splits each batch across the replicas.

Example:

```text
trainer = Trainer("charles_pilotnet_v1", "runs/demo", input_size=(96, 96))
trainer.train(feed, until_batch=500)
```
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

from charles_core.codec.line_codec import LineCodec
from charles_core.codec.model_data import loss_weights_for_line, losses_for_line
from charles_core.errors import ConfigError
from charles_core.lines.line_config import LineConfig
from charles_core.models import create_model, get_line
from charles_core.training.checkpoints import (
    CHECKPOINT_DIR,
    load_line_checkpoint,
    parse_checkpoint_name,
    remove_partial_files,
    save_checkpoint,
)
from charles_core.training.loss_history import LossHistory
from charles_core.training.moving_average import moving_average_weights
from charles_core.training.training_config import TrainingConfig


def make_strategy(config: TrainingConfig):
    import tensorflow as tf

    if config.strategy == "mirrored":
        return tf.distribute.MirroredStrategy(devices=list(config.devices) if config.devices else None)
    if config.strategy == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if config.devices:
        raise ConfigError("devices is a setting of the 'mirrored' strategy")
    return tf.distribute.get_strategy()


def compile_for_line(
    model,
    line: LineConfig,
    learning_rate: float,
    warmup_batches: int,
    decay_batches: int | None = None,
    final_fraction: float = 1.0,
    weight_average: float | None = None,
) -> None:
    import keras

    from charles_core.training.warmup_schedule import WarmupSchedule

    schedule = WarmupSchedule(learning_rate, warmup_batches, decay_batches or 0, final_fraction)
    if weight_average is None:
        optimizer = keras.optimizers.Adam(schedule)
    else:
        optimizer = keras.optimizers.Adam(schedule, use_ema=True, ema_momentum=weight_average)
    model.compile(
        optimizer=optimizer, loss=losses_for_line(line), loss_weights=loss_weights_for_line(line), jit_compile=False
    )


def load_for_resume(path, line: str | LineConfig | None = None, *, backbone: str | None = None, input_size=None):
    """Load a checkpoint with its optimizer state; returns ``(model, line, batch)``.

    The line is the one stored in the checkpoint (``--backbone`` and
    unregistered configs included); ``line``, ``backbone`` and
    ``input_size``, when given, must match it (ConfigError naming both).
    Checkpoints written before they carried their config take the line of
    their file name from the registry (on ``backbone`` when given).

    Args:
        path: the ``.keras`` checkpoint.
        line: the line asked for: an id, or a config compared field by field.
        backbone: the backbone asked for.
        input_size: the frame size asked for.
    """
    model = load_line_checkpoint(path, line=line, backbone=backbone, input_size=input_size, compile=True)
    if getattr(model, "optimizer", None) is None:
        raise ConfigError(f"checkpoint {path} holds no optimizer state to resume from")
    model.charles_transfer = [f"resumed from {Path(path).name}"]
    return model, model.charles_line, int(model.optimizer.iterations.numpy())


class Trainer:
    """Trains one line; resumes from any checkpoint with its optimizer and batch counter.

    Args:
        line: a line id or config; with ``resume``, ``None`` takes the checkpoint's.
        run_dir: where checkpoints (``checkpoints/``) and TensorBoard logs (``logs/``) go.
            Stale ``.partial-*.keras`` files a killed run left in its
            ``checkpoints/`` are removed on resume.
        input_size: ``(height, width)`` (default: the line's native size;
            on resume, the checkpoint's, which it must match if given).
        config: a :class:`TrainingConfig`.
        resume: a checkpoint to continue from; its stored line is trained
            (``line`` and ``backbone``, when given, must match it).
        sources: part -> file for the line's transfer recipe (0009).
        backbone: train the line on another registered backbone.
    """

    def __init__(
        self,
        line,
        run_dir,
        *,
        input_size=None,
        config: TrainingConfig | None = None,
        resume=None,
        sources=None,
        backbone=None,
    ):
        self.config = config or TrainingConfig()
        self.run_dir = Path(run_dir)
        self.strategy = make_strategy(self.config)
        if resume is None:
            if line is None:
                raise ConfigError("name the line to train (`charles lines`), or a checkpoint to resume")
            line = get_line(line, backbone)
            _check_loop(line, self.config)
        else:
            remove_partial_files(self.checkpoint_dir)
        with self.strategy.scope():
            if resume is not None:
                self.model, self.line, self.start_batch = load_for_resume(
                    resume, line, backbone=backbone, input_size=input_size
                )
                _check_loop(self.line, self.config)
            else:
                self.line = line
                self.model = create_model(line, input_size=input_size, sources=sources, seed=self.config.seed)
                compile_for_line(
                    self.model,
                    line,
                    self.config.learning_rate or line.learning_rate,
                    line.warmup_batches if self.config.warmup_batches is None else self.config.warmup_batches,
                    self.config.decay_batches,
                    self.config.final_learning_fraction,
                    self.config.weight_average,
                )
                self.start_batch = 0
        self.batch_per_buffer = self.config.batch_per_buffer or self.line.batch_per_buffer
        self.history = LossHistory(self.config.history_limit)  # every batch's losses, thinned beyond the limit
        self.last_checkpoint: Path | None = None

    @property
    def batch(self) -> int:
        return int(self.model.optimizer.iterations.numpy())

    @functools.cached_property
    def codec(self) -> LineCodec:
        """The line's codec: drawn batches -> model inputs, targets and sample weights."""
        return LineCodec(self.line)

    @property
    def checkpoint_dir(self) -> Path:
        return self.run_dir / CHECKPOINT_DIR

    def save(self) -> Path:
        """Write a checkpoint at the current batch (the moving-average weights where training keeps them)."""
        with moving_average_weights(self.model):
            self.last_checkpoint = save_checkpoint(self.model, self.checkpoint_dir, self.line.name, self.batch)
        return self.last_checkpoint

    def _dataset(self, source, batches: int):
        import tensorflow as tf

        def convert(batch):
            inputs, targets, weights = self.codec.training_data(batch)
            return inputs, targets, weights

        first = convert(source.next_batch(self.batch_per_buffer))

        def generate():
            yield first
            for _ in range(batches - 1):
                yield convert(source.next_batch(self.batch_per_buffer))

        signature = tf.nest.map_structure(lambda a: tf.TensorSpec((None, *a.shape[1:]), tf.as_dtype(a.dtype)), first)
        dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
        return dataset.with_options(options).prefetch(2)

    def train(self, source, until_batch: int, on_batch=None, time_limit_s: float | None = None) -> dict:
        """Train until the batch counter reaches ``until_batch``.

        Args:
            source: a batch source (``next_batch(n_per_buffer) -> batch dict``,
                optional ``fill_levels()``).
            until_batch: the absolute batch number to stop at.
            on_batch: optional ``on_batch(batch_number, logs)`` callback.
            time_limit_s: stop (with a checkpoint) after this many seconds.

        Returns:
            ``{"batches", "samples", "seconds", "samples_per_s", "final_losses", "checkpoint"}``.
        """
        remaining = int(until_batch) - self.batch
        if remaining <= 0:
            return {
                "batches": 0,
                "samples": 0,
                "seconds": 0.0,
                "samples_per_s": 0.0,
                "final_losses": {},
                "checkpoint": str(self.last_checkpoint or ""),
            }
        if self.line.training_loop == "per_output_helpers":
            from charles_core.training.per_output_helpers import PerOutputHelperLoop

            loop = PerOutputHelperLoop(self.model, self.line)
            callback = _TrainingCallback(self, source, remaining, on_batch, time_limit_s)
            return loop.run(self, source, remaining, callback)
        callback = _TrainingCallback(self, source, remaining, on_batch, time_limit_s)
        if self.config.strategy == "default":
            self._train_on_batches(source, remaining, callback)
        else:  # a distributed dataset splits each batch across the replicas
            with self.strategy.scope():
                dataset = self._dataset(source, remaining)
            self.model.fit(dataset, epochs=1, steps_per_epoch=remaining, verbose=0, shuffle=False, callbacks=[callback])
        return callback.result()

    def _train_on_batches(self, source, batches: int, callback) -> None:
        """One device: the compiled train step on batches a thread draws ahead.

        The thread draws each batch and turns it into tensors; the loop then
        calls the model's compiled train function on them. The first batch
        goes through ``train_on_batch``, which builds the model, optimizer
        and train function; the rest skip its per-call work (argument
        checks, converting numpy inputs), which on a small model is a few
        percent of the step (``charles bench train``). Metrics are reset
        before every step, so the logs hold each batch's own losses, as
        ``train_on_batch`` reports them.
        """
        import tensorflow as tf

        from charles_core.training.batch_prefetcher import BatchPrefetcher

        def make_batch():
            batch = self.codec.training_data(source.next_batch(self.batch_per_buffer))
            return tf.nest.map_structure(tf.convert_to_tensor, batch)

        model = self.model
        model.stop_training = False
        callback.set_model(model)
        reset_metrics = None
        with BatchPrefetcher(make_batch, count=batches, nice=self.config.prefetch_nice) as prefetched:
            for index, (inputs, targets, weights) in enumerate(prefetched):
                if reset_metrics is None:  # the first batch builds everything, metrics included
                    logs = model.train_on_batch(inputs, targets, sample_weight=weights, return_dict=True)
                    reset_metrics = _compiled_metric_reset(model)
                else:
                    reset_metrics()
                    logs = model.train_function(iter([(inputs, targets, weights)]))
                callback.on_train_batch_end(index, logs)
                if model.stop_training:
                    break
        callback.on_train_end()


def _check_loop(line: LineConfig, config: TrainingConfig) -> None:
    if line.training_loop != "standard" and config.strategy != "default":
        raise ConfigError(f"{line.name}'s per-output helper loop runs on the default strategy only")


class _TrainingCallback:
    """Progress bar, TensorBoard scalars, periodic checkpoints (a Keras callback)."""

    def __new__(cls, *args, **kwargs):
        import keras

        class Callback(keras.callbacks.Callback):
            def __init__(self, trainer, source, total, on_batch, time_limit_s):
                super().__init__()
                import tensorflow as tf
                from tqdm.auto import tqdm

                self.trainer, self.source, self.total, self.on_batch = trainer, source, total, on_batch
                self.time_limit_s = time_limit_s
                self.samples_per_batch = trainer.batch_per_buffer * _buffer_count(trainer.line)
                self.writer = tf.summary.create_file_writer(str(trainer.run_dir / "logs"))
                # a time-limited run has no meaningful batch total: show a count, not a 10^9 ETA
                self.bar = tqdm(
                    total=total if time_limit_s is None else None,
                    unit="batch",
                    disable=not trainer.config.progress,
                    desc=trainer.line.name,
                    dynamic_ncols=True,
                )
                self.started = time.perf_counter()
                self.done = 0
                self.last_logs: dict = {}

            def on_train_batch_begin(self, batch, logs=None):
                # per-batch losses in the logs, as train_on_batch reports them (fit would
                # report the running mean since the start of train())
                self.model.reset_metrics()

            def on_train_batch_end(self, batch, logs=None):
                import tensorflow as tf

                logs = _float_logs(logs)
                self.done += 1
                number = self.trainer.batch
                self.last_logs = logs
                self.trainer.history.append({"batch": number, **logs})
                if number % self.trainer.config.log_every == 0 or self.done == self.total:
                    with self.writer.as_default(step=number):
                        for key, value in logs.items():
                            tf.summary.scalar(f"loss/{key}", value)
                        tf.summary.scalar("learning_rate", float(self.model.optimizer.learning_rate))
                    elapsed = time.perf_counter() - self.started
                    postfix = {
                        "loss": f"{logs.get('loss', float('nan')):.4f}",
                        "batch/s": f"{self.done / elapsed:.1f}",
                        "samples/s": f"{self.done * self.samples_per_batch / elapsed:.0f}",
                    }
                    if hasattr(self.source, "fill_levels"):
                        levels = self.source.fill_levels()
                        postfix["fill"] = "/".join(f"{v:.0%}" for v in levels.values())
                    self.bar.set_postfix(postfix, refresh=False)
                self.bar.update(1)
                if number % self.trainer.config.checkpoint_every == 0:
                    self.trainer.save()
                if self.on_batch is not None:
                    self.on_batch(number, logs)
                if self.time_limit_s is not None and time.perf_counter() - self.started > self.time_limit_s:
                    self.model.stop_training = True

            def on_train_end(self, logs=None):
                self.bar.close()
                self.writer.flush()
                if (
                    self.trainer.last_checkpoint is None
                    or parse_checkpoint_name(self.trainer.last_checkpoint)[1] != self.trainer.batch
                ):
                    self.trainer.save()

            def result(self):
                seconds = time.perf_counter() - self.started
                return {
                    "batches": self.done,
                    "samples": self.done * self.samples_per_batch,
                    "seconds": seconds,
                    "samples_per_s": self.done * self.samples_per_batch / max(seconds, 1e-9),
                    "final_losses": self.last_logs,
                    "checkpoint": str(self.trainer.last_checkpoint),
                }

        return Callback(*args, **kwargs)


def _compiled_metric_reset(model):
    """``model.reset_metrics()`` as one compiled call (one dispatch instead of one per variable).

    Call it after the first batch, when every metric is built. Keras's loss
    trackers reset by zeroing their variables; if ``reset_metrics()`` leaves
    any metric variable non-zero, the eager ``reset_metrics`` is kept.
    """
    import numpy as np
    import tensorflow as tf

    model.reset_metrics()
    variables = list(model.metrics_variables)
    if any(np.any(np.asarray(variable.numpy()) != 0) for variable in variables):
        return model.reset_metrics

    @tf.function
    def reset():
        for variable in variables:
            variable.assign(tf.zeros(variable.shape, variable.dtype))

    return reset


def _float_logs(logs) -> dict[str, float]:
    """Logs (tensors, numpy or floats; nested dicts flattened) as floats, as Keras reports them."""
    flat = {}
    for key, value in sorted((logs or {}).items()):
        flat.update(_float_logs(value) if isinstance(value, dict) else {key: float(value)})
    return flat


def _buffer_count(line: LineConfig) -> int:
    return 1 if line.balancing == "v1" else len(line.outputs)
