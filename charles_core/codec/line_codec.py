"""One line's tensors both ways: what the collector, feeder, trainer, player, policy and runtimes share."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from charles_core.codec.frame_stack import FrameStack, stack_frames
from charles_core.codec.model_data import decode_predictions, frames_for_line, model_data
from charles_core.common.signals import combine_pedals
from charles_core.errors import ConfigError
from charles_core.lines.line_config import LineConfig


class LineCodec:
    """Frames, stacked frames, history and purpose -> model inputs; labels -> targets; outputs -> controls.

    Everything that feeds a line's model or reads its outputs goes through one
    codec: the collector and the recording feeder store frames with
    :meth:`stack_frames` / :meth:`new_frame_stack`, the trainer turns drawn
    batches into inputs and targets with :meth:`training_data`, the player and
    the simulator policy build one sample's inputs with :meth:`live_inputs`,
    and every runtime's outputs become controls through :meth:`controls`.
    Stored frames are one tall image, oldest frame on top
    (``(frames * height, width, 3)``); the model sees them interleaved on the
    channel axis (stacked lines) or as a sequence (time-distributed lines).

    Args:
        line: the line.
        input_size: ``(height, width)`` of one frame (default: the line's own).

    Example:

    ```text
    from charles_core.codec.line_codec import LineCodec
    from charles_core.models import get_line
    codec = LineCodec(get_line("charles_pilotnet_v1"), (72, 96))
    stack = codec.new_frame_stack()
    inputs = codec.live_inputs(stack.push(frame))          # {"frame": (1, 72, 96, 6) uint8}
    codec.controls({"throttle": [[0.4]], "steering": [[-0.1]]})  # {"throttle": 0.4, "steering": -0.1}
    ```
    """

    def __init__(self, line: LineConfig, input_size=None):
        self.line = line
        self.input_size = tuple(input_size) if input_size is not None else tuple(line.input_size)
        if len(self.input_size) != 2:
            raise ConfigError(f"input_size must be (height, width); got {input_size!r}")

    # ----------------------------------------------------------------- frames

    @property
    def frame_input_name(self) -> str | None:
        """The model's frame input (``"frame"``, or ``"frames"`` for a sequence); ``None`` when it sees none."""
        return frame_input_name(self.line)

    @property
    def stored_frame_shape(self) -> tuple[int, int, int]:
        """One stored sample's frame: ``(frames * height, width, 3)``."""
        height, width = self.input_size
        return (height * self.line.frames, width, 3)

    def stack_frames(self, frames) -> np.ndarray:
        """Frames, oldest first, in the stored layout (resized, padded with the oldest)."""
        return stack_frames(frames, self.line.frames, self.input_size)

    def new_frame_stack(self) -> FrameStack:
        """A per-car keeper of the last frames: ``push(frame)`` returns the stored layout."""
        return FrameStack(self.line.frames, self.input_size)

    # ----------------------------------------------------------------- inputs and targets

    def training_data(self, batch: Mapping[str, np.ndarray]):
        """A drawn batch -> ``(inputs, targets, sample_weights)`` for the trainer."""
        return model_data(self.line, dict(batch))

    def inputs_from_batch(self, batch: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """A drawn batch -> the model's inputs (the training path's inputs alone)."""
        return self.training_data(batch)[0]

    def live_inputs(
        self,
        stored_frame: np.ndarray | None,
        history=None,
        purpose: Callable[[], tuple[float, float]] | tuple[float, float] | None = None,
    ) -> dict[str, np.ndarray]:
        """One sample's inputs (batch of one) from its stored frame and the history kept so far.

        Args:
            stored_frame: the frame in the stored layout (``stack_frames`` / a
                ``FrameStack``); ignored by lines that see no frame.
            history: the history keeper (``new_history``): its newest entries are
                the controls applied at the step before (``current_controls``).
            purpose: the current purpose (0007 lines), or a callable giving it.
        """
        line = self.line
        inputs: dict[str, np.ndarray] = {}
        if line.has_frame_input:
            if stored_frame is None:
                raise ConfigError(f"{line.name} sees frames: give live_inputs the stored frame")
            if tuple(stored_frame.shape) != self.stored_frame_shape:
                raise ConfigError(
                    f"{line.name} at {self.input_size[0]}x{self.input_size[1]} stores frames of "
                    f"shape {self.stored_frame_shape}; got {tuple(stored_frame.shape)}"
                )
            inputs[self.frame_input_name] = frames_for_line(line, stored_frame[None])
        if line.current_controls_input:
            last = history.history() if history is not None and history.signals else {}
            inputs["current_controls"] = np.array(
                [[float(last[o.name][-1]) if o.name in last else 0.0 for o in line.outputs]], np.float32
            )
        if line.history is not None:
            from charles_core.codec.history_inputs import history_inputs_from_keeper

            if line.history.current_purpose and purpose is None:
                raise ConfigError(f"{line.name} takes the current purpose: give live_inputs a purpose")
            value = purpose() if callable(purpose) else purpose
            inputs.update(history_inputs_from_keeper(line, history, value))
        return inputs

    def new_history(self):
        """The player's history keeper (``None`` when the line needs none).

        History lines get their :class:`~charles_core.codec.history_inputs.LineHistory`;
        lines with a current-controls input keep the last applied controls;
        stacked-frame lines keep their past frames in it.
        """
        from charles_core.codec.history_inputs import make_history_keeper
        from charles_core.codec.history_keeper import HistoryKeeper

        line = self.line
        if line.history is not None:
            return make_history_keeper(line)
        signals = {o.name: () for o in line.outputs} if line.current_controls_input else {}
        if line.frames == 1 and not signals:
            return None
        return HistoryKeeper(signals=signals, length=1, frame_count=line.frames)

    def new_sample_history(self):
        """A collector's per-car history keeper (history lines only; ``None`` otherwise).

        Read it (:meth:`sample_history`) *before* a sample's step and push the
        controls applied at the step after it, so a sample's history is strictly past.
        """
        from charles_core.codec.history_inputs import make_history_keeper

        return make_history_keeper(self.line) if self.line.history is not None else None

    @staticmethod
    def sample_history(keeper) -> dict[str, np.ndarray] | None:
        """The history a sample stores, read from its car's keeper before the step (``None`` without one)."""
        from charles_core.codec.history_inputs import sample_history

        return None if keeper is None else sample_history(keeper)

    def live_frame(self, frame: np.ndarray, history=None) -> np.ndarray:
        """The player's stored frame: the current frame after the past ones its history keeps."""
        if self.line.frames == 1:
            return self.stack_frames([frame])
        if history is None or not history.frame_count:
            raise ConfigError(
                f"{self.line.name} stacks {self.line.frames} frames: its history must keep them (LineCodec.new_history)"
            )
        return self.stack_frames([*history.past_frames(fill=frame)[1:], frame])

    # ----------------------------------------------------------------- outputs

    def controls(
        self, outputs: Mapping[str, np.ndarray], current: Mapping[str, float] | None = None
    ) -> dict[str, float]:
        """Model outputs (batch of one) -> control values within each output's range."""
        return decode_predictions(self.line, dict(outputs), dict(current or {}))

    @staticmethod
    def simulator_controls(controls: Mapping[str, float]) -> dict[str, float]:
        """Decoded controls as the simulator takes them: steering and one throttle axis.

        Three-output lines (0001, 0002) predict acceleration and braking; the
        simulator, like the game, combines them into throttle = acceleration - braking.
        """
        controls = dict(controls)
        if "throttle" not in controls and {"acceleration", "braking"} <= set(controls):
            controls["throttle"] = combine_pedals(controls.pop("acceleration"), controls.pop("braking"))
        return controls

    def settings(self) -> dict:
        """The codec's settings as plain data (stored inside checkpoints beside the line)."""
        return {
            "line": self.line.name,
            "input_size": list(self.input_size),
            "frames": self.line.frames,
            "frame_mode": self.line.frame_mode,
            "frame_input": self.frame_input_name,
        }


def frame_input_name(line: LineConfig) -> str | None:
    """The frame input of ``line``'s model: ``"frames"`` (time-distributed), ``"frame"``, or ``None``."""
    if not line.has_frame_input:
        return None
    return "frames" if line.frame_mode == "time_distributed" else "frame"
