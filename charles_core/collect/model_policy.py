"""A trained line driving the simulator: frames in, controls out."""

from __future__ import annotations

import numpy as np

from charles_core.codec.line_codec import LineCodec
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

    def __init__(
        self,
        model,
        input_size,
        record_every: int = 0,
        record_limit: int = 600,
        predictor=None,
        max_speed: float | None = None,
    ):
        if max_speed is not None and not max_speed > 0:
            raise ConfigError(f"ModelPolicy max_speed must be positive (world units/s) or None; got {max_speed!r}")
        self.max_speed = max_speed
        self.line = model.charles_line
        self.predictor = predictor if predictor is not None else CompiledPredictor(model)
        self.input_size = tuple(input_size)
        self.codec = LineCodec(self.line, self.input_size)
        self.frames = self.codec.new_frame_stack()
        self.record_every, self.record_limit = record_every, record_limit
        self.recorded: list[np.ndarray] = []
        # History and current-controls lines: the keeper the player uses, read before
        # each prediction and pushed after it (strictly past).
        self.history = None
        if self.line.history is not None or self.line.current_controls_input:
            self.history = self.codec.new_history()
        self.episodes = 0
        self.steps = 0

    def reset(self) -> None:
        self.frames.clear()
        if self.history is not None:
            self.history.clear()
        self.episodes += 1
        self.steps = 0

    def __call__(self, session) -> dict[str, float]:
        stored = self.frames.push(session.read())
        if (
            self.record_every
            and self.episodes <= 1
            and self.steps % self.record_every == 0
            and len(self.recorded) < self.record_limit
        ):
            self.recorded.append(session.read())
        self.steps += 1
        speed, purpose = session.speed, session.purpose()
        inputs = self.codec.live_inputs(stored, self.history, purpose)
        current = {}
        if "current_controls" in inputs:  # delta outputs add to the value applied now
            current = {o.name: float(v) for o, v in zip(self.line.outputs, inputs["current_controls"][0])}
        decoded = self.codec.controls(self.predictor.predict({k: v[0] for k, v in inputs.items()}), current)
        if self.history is not None:
            self.history.push({**decoded, "speed": speed, "purpose": purpose})
        controls = self.codec.simulator_controls(decoded)
        if self.max_speed is not None and speed > self.max_speed:
            controls["throttle"] = min(controls["throttle"], 0.0)
        return controls
