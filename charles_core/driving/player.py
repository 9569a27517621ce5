"""The drive loop: frame source -> preprocessing -> predictor -> controller.

Pipeline (three threads at most):

- a capture thread reads the frame source at ``capture_hz`` into a one-slot
  latest-frame queue, so capture overlaps inference;
- the player's thread waits for the next tick of a fixed ``rate_hz`` grid
  (30 Hz: the game's frame rate; never faster), takes the newest frame it
  has not used, builds the inputs with ``preprocess(frame, history)``,
  predicts, and applies the controls, inline by default (a vgamepad update
  is a ~0.1 ms system call; ``control_mode="thread"`` hands them to a control
  thread instead, for slow controllers);
- history (``HistoryKeeper``) is read before a prediction and written after
  it, so it is strictly past.

Unstuck: when ``telemetry()`` reports a ``"position"`` and the
``UnstuckDetector`` fires, the player stops predicting, centres the pad,
calls ``on_stuck()`` (fade out, teleport, wait for the world, fade in),
takes the newest checkpoint from its ``CheckpointWatcher`` (live weight swap:
the load happens while the car is being moved anyway), clears the history
and resumes on frames captured after the recovery.

``request_swap()`` (any thread) swaps at the next step instead.

Example:

```text
from charles_core.driving.player import Player
player = Player(source, predictor, controller, preprocess,
                telemetry=lambda: {"position": game.position(), "speed": game.speed()},
                unstuck=UnstuckDetector(), on_stuck=game.teleport_random,
                checkpoints=CheckpointWatcher("checkpoints/", line_id="model_0004_inceptionresnetv2_v3"))
stats = player.run(max_seconds=600)
print(stats.pps, stats.swaps, stats.unstucks)
```
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from charles_core.codec.history_keeper import HistoryKeeper
from charles_core.driving.checkpoint_watcher import CheckpointWatcher
from charles_core.driving.frame_capture_thread import FrameCaptureThread
from charles_core.driving.player_config import PlayerConfig
from charles_core.driving.player_stats import PlayerStats
from charles_core.driving.player_status import PlayerStatus
from charles_core.driving.rate_limiter import RateLimiter
from charles_core.driving.rate_meter import RateMeter
from charles_core.driving.unstuck import UnstuckDetector
from charles_core.errors import ConfigError, DataError
from charles_core.training.checkpoints import CheckpointName

# Output name -> the range the controller accepts.
OUTPUT_RANGES = {
    "steering": (-1.0, 1.0),
    "throttle": (-1.0, 1.0),
    "acceleration": (0.0, 1.0),
    "braking": (0.0, 1.0),
}

Preprocess = Callable[[np.ndarray, "HistoryKeeper | None"], Mapping[str, np.ndarray]]


def print_status_line(status: PlayerStatus, stream=None) -> None:
    """The default status callback: rewrite one console line on stderr."""
    stream = stream if stream is not None else sys.stderr
    stream.write("\r" + status.format() + "\x1b[K")
    stream.flush()


class _ControlThread:
    """Applies the newest controls on its own thread; older unapplied ones are dropped."""

    def __init__(self, controller):
        self._controller = controller
        self._condition = threading.Condition()
        self._pending: Mapping | None = None
        self._stop = False
        self._error: BaseException | None = None
        self.last_values: Mapping[str, float] = {}
        self.apply_seconds = 0.0
        self.applied = 0
        self._thread = threading.Thread(target=self._run, name="charles-control", daemon=True)
        self._thread.start()

    def submit(self, controls: Mapping) -> None:
        with self._condition:
            if self._error is not None:
                raise self._error
            self._pending = controls
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._pending is None and not self._stop:
                    self._condition.wait()
                if self._pending is None:
                    return
                controls, self._pending = self._pending, None
            try:
                started = time.perf_counter()
                values = self._controller.apply(controls)
                self.apply_seconds += time.perf_counter() - started
                self.applied += 1
                self.last_values = dict(values or {})
            except BaseException as error:
                with self._condition:
                    self._error = error
                return

    def stop(self) -> None:
        with self._condition:
            self._stop = True
            self._condition.notify()
        self._thread.join(2.0)
        if self._error is not None:
            raise self._error


class Player:
    """Drives with a model: capture, predict, control, at a fixed rate.

    Args:
        source: frame source with ``read() -> RGB uint8 frame``.
        predictor: see ``charles_core.driving.predictor.Predictor``:
            ``predict(inputs) -> {name: array}`` for batch 1, ``load_weights(path)``.
        controller: ``apply(controls) -> translated values (mapping) or None``;
            ``neutral()`` (optional) releases every control.
        preprocess: ``preprocess(frame, history) -> inputs`` for the predictor;
            ``history`` is the ``HistoryKeeper`` (or None); read it, never push.
        config: pacing and recovery settings (``PlayerConfig``).
        history: keeps past outputs and telemetry; pushed after every prediction
            with the (clipped) predictions and the telemetry of that step.
        telemetry: ``() -> {"position": (x, y), "speed": s, "purpose": [...], ...}``,
            read once per step right after the frame.
        unstuck: fires on positions from ``telemetry``; needs ``on_stuck``.
        on_stuck: moves the car (blocking); the player resumes when it returns.
        checkpoints: where new weights come from (``CheckpointWatcher``).
        weights: a checkpoint to load before driving (its name gives the
            line id and batch shown in the status).
        on_status: called with a ``PlayerStatus`` at most ``status_hz`` times a
            second; default: one rewritten console line on stderr.
        on_frame: called with the raw captured frame (RGB uint8) of every
            prediction, after its controls were applied; e.g. a
            ``ConvcamWindow.submit``. It must return quickly and not modify the frame.
        clock, sleep: monotonic seconds and sleep, injectable for tests.

    Example:

    ```text
    player = Player(ScreenFrameSource(), predictor, GamepadController(), preprocess)
    player.run(max_steps=300)   # ~10 s at 30 Hz
    ```
    """

    def __init__(
        self,
        source: Any,
        predictor: Any,
        controller: Any,
        preprocess: Preprocess,
        *,
        config: PlayerConfig | None = None,
        history: HistoryKeeper | None = None,
        telemetry: Callable[[], Mapping[str, Any]] | None = None,
        unstuck: UnstuckDetector | None = None,
        on_stuck: Callable[[], None] | None = None,
        checkpoints: CheckpointWatcher | None = None,
        weights: str | os.PathLike | None = None,
        on_status: Callable[[PlayerStatus], None] | None = None,
        on_frame: Callable[[np.ndarray], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        for name, obj, methods in (
            ("source", source, ("read",)),
            ("predictor", predictor, ("predict", "load_weights")),
            ("controller", controller, ("apply",)),
        ):
            missing = [m for m in methods if not callable(getattr(obj, m, None))]
            if missing:
                raise ConfigError(f"{name} needs method(s) {', '.join(missing)}; got {type(obj).__name__}")
        if not callable(preprocess):
            raise ConfigError("preprocess must be callable as preprocess(frame, history) -> inputs")
        if on_frame is not None and not callable(on_frame):
            raise ConfigError(f"on_frame must be callable as on_frame(frame); got {type(on_frame).__name__}")
        if unstuck is not None and (on_stuck is None or telemetry is None):
            raise ConfigError("unstuck detection needs telemetry (with 'position') and on_stuck")
        self.source = source
        self.predictor = predictor
        self.controller = controller
        self.preprocess = preprocess
        self.config = config if config is not None else PlayerConfig()
        self.history = history
        self.telemetry = telemetry
        self.unstuck = unstuck
        self.on_stuck = on_stuck
        self.checkpoints = checkpoints
        self.on_status = on_status if on_status is not None else print_status_line
        self.on_frame = on_frame
        self._clock = clock
        self._sleep = sleep
        self._swap_lock = threading.Lock()
        self._swap_request: str | bool | None = None
        self._stop_requested = threading.Event()
        self.weights_name: CheckpointName | None = None
        self.weights_path: str | None = None
        self.swaps = 0
        self.unstucks = 0
        self.last_predictions: dict[str, float] = {}
        self.last_controller_values: dict[str, float] = {}
        if weights is not None:
            self._load(weights)
            self.swaps = 0  # the initial load is not a swap

    # -- control from other threads ---------------------------------------------------

    def request_swap(self, path: str | os.PathLike | None = None) -> None:
        """Swap weights at the next step: ``path``, or the watcher's newest checkpoint."""
        if path is None and self.checkpoints is None:
            raise ConfigError("request_swap() without a path needs a CheckpointWatcher (checkpoints=...)")
        with self._swap_lock:
            self._swap_request = os.fspath(path) if path is not None else True

    def stop(self) -> None:
        """Ask ``run`` to return after the current step."""
        self._stop_requested.set()

    # -- the loop --------------------------------------------------------------------

    def run(
        self,
        max_steps: int | None = None,
        max_seconds: float | None = None,
        stop_event: threading.Event | None = None,
    ) -> PlayerStats:
        """Drive until a stop condition; return what happened.

        Args:
            max_steps: stop after this many predictions.
            max_seconds: stop after this long (checked once per step).
            stop_event: stop when it is set (another thread, a signal handler).

        Returns:
            ``PlayerStats`` (frames, predictions, fps, pps, swaps, unstucks, ...).
        """
        config = self.config
        self._stop_requested.clear()
        swaps_before, unstucks_before = self.swaps, self.unstucks
        limiter = RateLimiter(config.rate_hz, clock=self._clock, sleep=self._sleep)
        pps_meter = RateMeter(clock=self._clock)
        capture = FrameCaptureThread(self.source, rate_hz=config.effective_capture_hz, clock=self._clock)
        control_thread = _ControlThread(self.controller) if config.control_mode == "thread" else None
        status_period = 1.0 / config.status_hz
        steps, predict_seconds, apply_seconds = 0, 0.0, 0.0
        last_index, not_before, last_status = -1, None, -math.inf
        stop_reason = "stop_requested"
        started = self._clock()
        capture.start()
        try:
            while True:
                reason = self._stop_reason(steps, started, max_steps, max_seconds, stop_event)
                if reason:
                    stop_reason = reason
                    break
                self._swap_if_requested()
                limiter.wait()
                got = capture.next_frame(last_index, config.frame_timeout_s, not_before=not_before)
                if got is None:
                    stop_reason = "no_frames"
                    break
                frame, last_index, _ = got
                telemetry = dict(self.telemetry()) if self.telemetry is not None else {}
                if self.unstuck is not None and "position" in telemetry and self.unstuck.update(telemetry["position"]):
                    self._recover(control_thread)
                    limiter.reset()
                    not_before = self._clock()  # frames from before the move are stale
                    continue

                inputs = self.preprocess(frame, self.history)
                t0 = time.perf_counter()
                outputs = self.predictor.predict(inputs)
                predict_seconds += time.perf_counter() - t0
                predictions = self._to_floats(outputs)

                if control_thread is not None:
                    control_thread.submit(predictions)
                    values = control_thread.last_values
                else:
                    t0 = time.perf_counter()
                    values = self.controller.apply(predictions)
                    apply_seconds += time.perf_counter() - t0
                self.last_predictions = predictions
                self.last_controller_values = dict(values or {})
                steps += 1
                pps_meter.tick()

                if self.history is not None:
                    self.history.push({**telemetry, **predictions}, frame=frame)
                if self.on_frame is not None:
                    self.on_frame(frame)

                now = self._clock()
                if now - last_status >= status_period:
                    last_status = now
                    self.on_status(self._status(steps, capture.meter.rate(), pps_meter.rate()))
        finally:
            capture.stop()
            if control_thread is not None:
                control_thread.stop()
                apply_seconds = control_thread.apply_seconds
                applied = control_thread.applied
            else:
                applied = steps
            neutral = getattr(self.controller, "neutral", None)
            if callable(neutral):
                neutral()
        elapsed = max(self._clock() - started, 1e-9)
        return PlayerStats(
            steps=steps,
            frames=capture.frames_captured,
            predictions=steps,
            fps=capture.frames_captured / elapsed,
            pps=steps / elapsed,
            swaps=self.swaps - swaps_before,
            unstucks=self.unstucks - unstucks_before,
            elapsed_s=elapsed,
            mean_predict_ms=1000.0 * predict_seconds / steps if steps else 0.0,
            mean_apply_ms=1000.0 * apply_seconds / applied if applied else 0.0,
            stop_reason=stop_reason,
            weights=str(self.weights_name) if self.weights_name is not None else None,
        )

    # -- helpers --------------------------------------------------------------------

    def _stop_reason(self, steps, started, max_steps, max_seconds, stop_event) -> str | None:
        if max_steps is not None and steps >= max_steps:
            return "max_steps"
        if max_seconds is not None and self._clock() - started >= max_seconds:
            return "max_seconds"
        if stop_event is not None and stop_event.is_set():
            return "stop_event"
        if self._stop_requested.is_set():
            return "stop_requested"
        return None

    def _recover(self, control_thread) -> None:
        """The car is stuck: release the pad, move the car, take new weights, forget the past."""
        neutral = getattr(self.controller, "neutral", None)
        if callable(neutral):
            neutral()  # inline even in thread mode: nothing may keep the throttle on
        self.on_stuck()
        self.unstucks += 1
        if self.config.swap_on_unstuck and self.checkpoints is not None:
            path = self.checkpoints.poll()
            if path is not None:
                self._load(path)
        self.unstuck.reset()
        if self.history is not None and self.config.clear_history_on_unstuck:
            self.history.clear()

    def _swap_if_requested(self) -> None:
        with self._swap_lock:
            request, self._swap_request = self._swap_request, None
        if request is None:
            return
        if request is True:
            path = self.checkpoints.poll()
            if path is None:
                return  # nothing newer than what runs
        else:
            path = request
        self._load(path)

    def _load(self, path) -> None:
        path = os.fspath(path)
        self.predictor.load_weights(path)
        self.weights_path = path
        self.weights_name = CheckpointName.try_parse(path)
        if self.checkpoints is not None:
            self.checkpoints.mark_loaded(path)
        self.swaps += 1

    def _to_floats(self, outputs: Mapping[str, Any]) -> dict[str, float]:
        if not isinstance(outputs, Mapping):
            raise DataError(
                f"predictor.predict must return a mapping of output name to array; got {type(outputs).__name__}"
            )
        result = {}
        for name, value in outputs.items():
            array = np.asarray(value, dtype=np.float64).reshape(-1)
            if array.size != 1:
                raise DataError(
                    f"output {name!r} must hold one value for batch 1 (decode classification outputs "
                    f"in the predictor); got shape {np.shape(value)}"
                )
            number = float(array[0])
            if not math.isfinite(number):
                raise DataError(f"the model predicted a non-finite {name!r}: {number!r}")
            if self.config.clip_predictions and name in OUTPUT_RANGES:
                low, high = OUTPUT_RANGES[name]
                number = min(max(number, low), high)
            result[str(name)] = number
        return result

    def _status(self, steps: int, fps: float, pps: float) -> PlayerStatus:
        name = self.weights_name
        return PlayerStatus(
            step=steps,
            predictions=dict(self.last_predictions),
            controller_values=dict(self.last_controller_values),
            fps=fps,
            pps=pps,
            line_id=name.line_id if name else None,
            batch=name.batch if name else None,
            swaps=self.swaps,
            unstucks=self.unstucks,
        )
