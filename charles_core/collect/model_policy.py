"""A trained line driving the simulator: frames in, controls out."""

from __future__ import annotations

import collections

import numpy as np

from charles_core.codec.model_data import decode_predictions, frames_for_line
from charles_core.common.frames import resize_frame
from charles_core.errors import ConfigError
from charles_core.runtimes.inference import CompiledPredictor


class ModelPolicy:
    """``policy(session) -> controls`` for :func:`charles_core.sim.evaluate.evaluate`.

    Args:
        model: a built (trained) model; its ``charles_line`` tells the line.
        input_size: the model's frame ``(height, width)``.
        record_every: keep every N-th frame of the first episode for a video (0: none).
        record_limit: at most this many frames.
        predictor: the predictor to use (default: a ``CompiledPredictor`` of ``model``);
            several policies can share one.
        max_speed: a speed cap (world units/s): above it the throttle the model
            asks for is replaced by coasting (0). ``None``: no cap.

    Raises:
        ConfigError: a ``max_speed`` that is not positive.
    """

    def __init__(self, model, input_size, record_every: int = 0, record_limit: int = 600, predictor=None,
                 max_speed: float | None = None):
        if max_speed is not None and not max_speed > 0:
            raise ConfigError(f"ModelPolicy max_speed must be positive (world units/s) or None; got {max_speed!r}")
        self.max_speed = max_speed
        self.line = model.charles_line
        self.predictor = predictor if predictor is not None else CompiledPredictor(model)
        self.input_size = tuple(input_size)
        self.frames = collections.deque(maxlen=self.line.frames)
        self.record_every, self.record_limit = record_every, record_limit
        self.recorded: list[np.ndarray] = []
        # History lines: the same keeper the collector and the player use, read
        # before each prediction and pushed after it (strictly past).
        self.history = None
        if self.line.history is not None:
            from charles_core.codec.history_inputs import make_history_keeper

            self.history = make_history_keeper(self.line)
        self.episodes = 0
        self.steps = 0

    def reset(self) -> None:
        self.frames.clear()
        if self.history is not None:
            self.history.clear()
        self.episodes += 1
        self.steps = 0

    def __call__(self, session) -> dict[str, float]:
        frame = resize_frame(session.read(), self.input_size)
        self.frames.append(frame)
        while len(self.frames) < self.frames.maxlen:
            self.frames.appendleft(self.frames[0])
        if self.record_every and self.episodes <= 1 and self.steps % self.record_every == 0 \
                and len(self.recorded) < self.record_limit:
            self.recorded.append(session.read())
        self.steps += 1
        stacked = frame if len(self.frames) == 1 else np.concatenate(list(self.frames), axis=0)
        key = "frames" if self.line.frame_mode == "time_distributed" else "frame"
        inputs = {key: frames_for_line(self.line, stacked[None])[0]}
        if self.history is not None:
            from charles_core.codec.history_inputs import history_inputs_from_keeper

            speed, purpose = session.speed, session.purpose()
            past = history_inputs_from_keeper(self.line, self.history, purpose=purpose)
            inputs.update({name: value[0] for name, value in past.items()})
        controls = decode_predictions(self.line, self.predictor.predict(inputs))
        if "throttle" not in controls:  # three-output lines: pedals back into one axis
            controls["throttle"] = controls.pop("acceleration") - controls.pop("braking")
        if self.max_speed is not None and session.speed > self.max_speed:
            controls["throttle"] = min(controls["throttle"], 0.0)
        if self.history is not None:
            self.history.push({**controls, "speed": speed, "purpose": purpose})
        return controls
