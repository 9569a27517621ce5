"""What a drive run did, returned by ``Player.run``."""

from __future__ import annotations

import attrs


@attrs.frozen
class PlayerStats:
    """Counts and rates of one ``Player.run``.

    Args:
        steps: loop iterations that predicted.
        frames: frames captured by the capture thread.
        predictions: predictions made (equals ``steps``).
        fps: frames captured per second over the run.
        pps: predictions per second over the run.
        swaps: weight swaps done.
        unstucks: times the car was found stuck and moved.
        elapsed_s: run time in seconds.
        mean_predict_ms: mean ``predictor.predict`` time.
        mean_apply_ms: mean ``controller.apply`` time (inline mode; in thread
            mode, measured on the control thread).
        stop_reason: ``"max_steps"``, ``"max_seconds"``, ``"stop_event"``,
            ``"stop_requested"`` or ``"no_frames"``.
        weights: ``CheckpointName`` string of the weights in use at the end, or None.
    """

    steps: int
    frames: int
    predictions: int
    fps: float
    pps: float
    swaps: int
    unstucks: int
    elapsed_s: float
    mean_predict_ms: float
    mean_apply_ms: float
    stop_reason: str
    weights: str | None = None
