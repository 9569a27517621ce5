"""Turns a drawn batch (``BufferSet.draw``) into model inputs, targets and weights.

Stacked-frame and time-distributed lines store each sample's frames as one
tall image, oldest frame on top (``(frames * height, width, 3)``); here it is
cut back into frames. Classification targets are the nearest bin's index;
discrete-delta targets the bin nearest to the change from the current value
(the newest history entry, so delta lines need history).
"""

from __future__ import annotations

import numpy as np

from charles_core.common.signals import split_throttle
from charles_core.errors import ConfigError
from charles_core.lines.line_config import LineConfig


def frames_for_line(line: LineConfig, frames: np.ndarray) -> np.ndarray:
    """``(batch, H, W, 3)`` buffer frames -> the line's frame input, in their own dtype (uint8).

    Frames stay uint8 (a quarter of float32's bytes to copy and hand to
    TensorFlow); the model casts its inputs to float32 itself, as Keras casts
    every input to its ``Input``'s dtype.
    """
    frames = np.asarray(frames)
    if line.frame_mode == "single":
        return frames
    batch, tall, width, _ = frames.shape
    if tall % line.frames:
        raise ConfigError(
            f"{line.name} takes {line.frames} frames stacked as one {line.frames}x-tall image; "
            f"got frames of height {tall}"
        )
    sequence = frames.reshape(batch, line.frames, tall // line.frames, width, 3)
    if line.frame_mode == "time_distributed":
        return sequence
    # stacked: RGBRGB... on the channel axis, oldest first. One copy per channel:
    # numpy copies 1-byte elements much faster than 3-byte pixels (a transpose),
    # and this runs once per training batch (docs/benchmarks.md).
    stacked = np.empty((batch, tall // line.frames, width, 3 * line.frames), frames.dtype)
    for frame_index in range(line.frames):
        for channel in range(3):
            stacked[..., 3 * frame_index + channel] = sequence[:, frame_index, ..., channel]
    return stacked


def _current_values(line: LineConfig, batch: dict) -> dict[str, np.ndarray]:
    values = {}
    for output in line.outputs:
        key = f"history_{output.name}"
        if key not in batch:
            source = batch.get("history_throttle")
            if output.name in ("acceleration", "braking") and source is not None:
                acceleration, braking = split_throttle(np.asarray(source[:, -1]))
                values[output.name] = acceleration if output.name == "acceleration" else braking
                continue
            raise ConfigError(
                f"{line.name} needs the current value of {output.name!r}: record samples with a "
                f"history of {output.name!r} (its newest entry is the value applied now)"
            )
        values[output.name] = batch[key][:, -1]
    return values


def nearest_bin(values: np.ndarray, bins) -> np.ndarray:
    bins = np.asarray(bins, np.float32)
    return np.abs(values[:, None] - bins[None, :]).argmin(axis=1).astype(np.int32)


def model_data(line: LineConfig, batch: dict):
    """``(inputs, targets, sample_weights)`` dicts for ``model.train_on_batch``."""
    inputs = {}
    if line.has_frame_input:  # recurrent-only lines (0008 v5, v6) see no frame
        frame_key = "frames" if line.frame_mode == "time_distributed" else "frame"
        inputs[frame_key] = frames_for_line(line, batch["frames"])
    needs_current = line.current_controls_input or any(o.kind == "delta" for o in line.outputs)
    current = _current_values(line, batch) if needs_current else {}
    if line.current_controls_input:
        inputs["current_controls"] = np.stack([current[o.name] for o in line.outputs], axis=1).astype(np.float32)
    if line.history is not None:
        from charles_core.codec.history_inputs import history_inputs_from_batch

        inputs.update(history_inputs_from_batch(line, batch))
    targets, weights = {}, {}
    for output in line.outputs:
        label = np.asarray(batch[output.name], np.float32)
        if output.kind == "regression":
            targets[output.name] = label[:, None]
        elif output.kind == "classification":
            targets[output.name] = nearest_bin(label, output.bins)
        else:
            targets[output.name] = nearest_bin(label - current[output.name], output.bins)
        weights[output.name] = np.asarray(batch.get(f"mask_{output.name}", np.ones(len(label))), np.float32)
    for name in _auxiliary_names(line):  # aux_<output>: the same labels and masks
        main = name[len("aux_") :]
        targets[name], weights[name] = targets[main], weights[main]
    return inputs, targets, weights


def _auxiliary_names(line: LineConfig) -> tuple[str, ...]:
    if line.history is None:
        return ()
    from charles_core.codec.history_inputs import auxiliary_output_names

    return auxiliary_output_names(line)


def losses_for_line(line: LineConfig) -> dict[str, str]:
    """Loss per output: mean squared error for regression, cross-entropy for bins.

    Auxiliary outputs (``aux_<output>``, 0008 v4) get their output's loss.

    Example:
        >>> losses_for_line(get_line("model_0008_irv2_data_td_v4"))  # doctest: +SKIP
        {'throttle': 'mse', 'steering': 'mse', 'aux_throttle': 'mse', 'aux_steering': 'mse'}
    """
    losses = {o.name: "mse" if o.kind == "regression" else "sparse_categorical_crossentropy" for o in line.outputs}
    for name in _auxiliary_names(line):
        losses[name] = losses[name[len("aux_") :]]
    return losses


def loss_weights_for_line(line: LineConfig) -> dict[str, float]:
    """Loss weight per output: 1 for the main outputs, ``auxiliary_loss_weight`` (0.25) for aux ones.

    Example:
        >>> loss_weights_for_line(get_line("model_0008_irv2_data_td_v4"))["aux_steering"]  # doctest: +SKIP
        0.25
    """
    weights = {o.name: 1.0 for o in line.outputs}
    for name in _auxiliary_names(line):
        weights[name] = float(line.history.auxiliary_loss_weight)
    return weights


def decode_predictions(line: LineConfig, predictions: dict, current: dict | None = None) -> dict[str, float]:
    """Model outputs (batch of 1) -> control values: the regression value, the
    expected bin value (classification) or current + expected delta (delta)."""
    controls = {}
    for output in line.outputs:
        values = np.asarray(predictions[output.name]).reshape(-1)
        if output.kind == "regression":
            value = float(values[0])
        else:
            value = float(np.dot(values, np.asarray(output.bins)))
            if output.kind == "delta":
                value += float((current or {}).get(output.name, 0.0))
        controls[output.name] = float(np.clip(value, output.low, output.high))
    return controls
