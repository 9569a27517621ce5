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
        mirror_average: also predict on the left-right mirror image of the
            inputs and average the two (the mirrored steering negated), as the
            collector's mirrored samples trained it; twice the inference.

    Raises:
        ConfigError: a ``max_speed`` that is not positive; ``mirror_average``
            for a line whose history or current controls carry steering or
            direction (their mirror is not implemented).
    """

    def __init__(
        self,
        model,
        input_size,
        record_every: int = 0,
        record_limit: int = 600,
        predictor=None,
        max_speed: float | None = None,
        mirror_average: bool = False,
    ):
        if max_speed is not None and not max_speed > 0:
            raise ConfigError(f"ModelPolicy max_speed must be positive (world units/s) or None; got {max_speed!r}")
        self.max_speed = max_speed
        self.line = model.charles_line
        if mirror_average:
            _check_mirrorable(self.line)
        self.mirror_average = mirror_average
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
        if self.mirror_average:
            decoded = self._averaged_with_mirror(decoded, stored, purpose)
        if self.history is not None:
            self.history.push({**decoded, "speed": speed, "purpose": purpose})
        controls = self.codec.simulator_controls(decoded)
        if self.max_speed is not None and speed > self.max_speed:
            controls["throttle"] = min(controls["throttle"], 0.0)
        return controls

    def _averaged_with_mirror(self, decoded: dict, stored, purpose) -> dict:
        flipped = None if stored is None else np.ascontiguousarray(stored[:, ::-1])
        inputs = self.codec.live_inputs(flipped, self.history, purpose)
        mirror = self.codec.controls(self.predictor.predict({k: v[0] for k, v in inputs.items()}))
        return {
            name: (value - mirror[name]) / 2 if name == "steering" else (value + mirror[name]) / 2
            for name, value in decoded.items()
        }


def _check_mirrorable(line) -> None:
    signals = set(line.history.signals) if line.history is not None else set()
    if (
        line.current_controls_input
        or signals & {"steering", "purpose"}
        or (line.history is not None and line.history.current_purpose)
    ):
        raise ConfigError(
            f"mirror_average is implemented for lines whose inputs carry no steering or direction besides "
            f"the frame; {line.name} sees {sorted(signals) or 'its current controls'}"
        )
