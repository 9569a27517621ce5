"""Builds the Keras model of a line: frames -> backbone(s) -> pooling -> heads.

The backbone is features only (a ``BackboneSpec``); everything after the
feature map belongs to the line: pooling, frame stacking or recurrence over
frames, extra inputs, the common stack and the heads.
"""

from __future__ import annotations

import keras

from charles_core import plugins
from charles_core.common import frames
from charles_core.errors import ConfigError
from charles_core.lines.line_config import LineConfig, frame_input_shape
from charles_core.models.backbones.backbone_spec import BackboneSpec
from charles_core.models.backbones.frame_preprocessing import FramePreprocessing
from charles_core.models.heads import build_heads


def check_input_size(line: LineConfig, spec: BackboneSpec, input_size) -> tuple[int, int]:
    """Validate ``(height, width)``: the bounds of ``frames.check_input_size``, the backbone's minimum side."""
    height, width = frames.check_input_size(input_size, "input size")
    if min(height, width) < spec.min_input_side:
        raise ConfigError(
            f"input size {height}x{width} is below the minimum side of {spec.min_input_side} pixels of "
            f"backbone {spec.name!r} (line {line.name}); use --input-size with both sides >= {spec.min_input_side}"
        )
    return height, width


def _named_backbone(spec: BackboneSpec, input_shape, name: str) -> keras.Model:
    channels = input_shape[-1]
    if channels != spec.input_channels and not spec.accepts_any_channels:
        raise ConfigError(
            f"backbone {spec.name!r} takes {spec.input_channels} channels only; "
            f"this line feeds it {channels} (frame stacking needs a backbone that accepts any channels)"
        )
    built = spec.build(tuple(input_shape))
    if len(built.outputs) != 1 or len(built.outputs[0].shape) != 4:
        raise ConfigError(
            f"backbone {spec.name!r} must return one 4-D feature map (batch, h, w, c); "
            f"got {[tuple(o.shape) for o in built.outputs]}"
        )
    # Re-wrap under a stable name so parts and checkpoints find it whatever the plugin called it.
    return keras.Model(built.inputs[0], built.outputs[0], name=name)


def _pooling(spec: BackboneSpec, name: str):
    if spec.pooling == "flatten":
        return keras.layers.Flatten(name=name)
    return keras.layers.GlobalAveragePooling2D(name=name)


def _frame_features(line: LineConfig, spec: BackboneSpec, frames, height: int, width: int, suffix: str = ""):
    """Pooled feature vector of the frame input (one backbone)."""
    if line.frame_mode == "time_distributed":
        frame = keras.Input((height, width, 3), name="single_frame")
        x = FramePreprocessing(spec.preprocessing, name="preprocessing")(frame)
        x = _named_backbone(spec, (height, width, 3), "backbone")(x)
        x = _pooling(spec, "pool")(x)
        per_frame = keras.Model(frame, x, name="frame_features")
        x = keras.layers.TimeDistributed(per_frame, name="frames_td")(frames)
        return keras.layers.LSTM(line.temporal_units, name="recurrent_frames_lstm")(x)
    channels = frames.shape[-1]
    x = FramePreprocessing(spec.preprocessing, name=f"preprocessing{suffix}")(frames)
    x = _named_backbone(spec, (height, width, channels), f"backbone{suffix}")(x)
    return _pooling(spec, f"pool{suffix}")(x)


def _named_outputs(tensors: dict) -> dict:
    """Give each tensor an output named by its key (an ``Identity`` layer, no weights).

    The Dense layers underneath keep their ``history_*`` names, so they stay in
    the recurrent part for transfer and freezing.
    """
    return {name: keras.layers.Identity(name=name)(tensor) for name, tensor in tensors.items()}


def build_line_model(line: LineConfig, input_size=None) -> keras.Model:
    """The untrained Keras model of ``line`` at ``input_size`` (default: native).

    Args:
        line: the line version's config.
        input_size: ``(height, width)``; smaller sizes suit CPU work.

    Returns:
        A ``keras.Model`` named after the line with dict inputs (``frame`` or
        ``frames``, plus ``current_controls`` / ``history`` where the line has
        them; recurrent-only lines have no frame input) and dict outputs keyed
        by output name, plus ``aux_<output>`` for lines with auxiliary heads.
    """
    if not line.has_frame_input:
        # Recurrent-only lines (0008 v5, v6): no frame, no CNN; the branch's heads are the outputs.
        from charles_core.models.history_branch import build_history_branch

        history_inputs, _, heads = build_history_branch(line)
        return keras.Model(history_inputs, _named_outputs(heads), name=line.name)

    spec = plugins.backbones.get(line.backbone)
    height, width = check_input_size(line, spec, input_size or line.input_size)
    frame_name = "frames" if line.frame_mode == "time_distributed" else "frame"
    frames = keras.Input(frame_input_shape(line, (height, width)), name=frame_name)
    inputs = {frame_name: frames}

    extras = []
    auxiliary = {}
    if line.current_controls_input:
        current = keras.Input((len(line.outputs),), name="current_controls")
        inputs["current_controls"] = current
        extras.append(current)
    if line.history is not None:
        from charles_core.codec.history_inputs import AUX_PREFIX
        from charles_core.models.history_branch import build_history_branch

        history_inputs, history_features, history_aux = build_history_branch(line)
        inputs.update(history_inputs)
        extras.append(history_features)
        auxiliary = _named_outputs({AUX_PREFIX + name: tensor for name, tensor in history_aux.items()})

    if line.backbone_per_output:
        outputs = {}
        for output in line.outputs:
            features = _frame_features(line, spec, frames, height, width, suffix=f"_{output.name}")
            if extras:
                features = keras.layers.Concatenate(name=f"features_{output.name}")([features, *extras])
            outputs.update(
                build_heads(
                    features,
                    [output],
                    line.common_layers,
                    line.head_layers,
                    line.hidden_activation,
                    prefix=f"{output.name}_",
                )
            )
    else:
        features = _frame_features(line, spec, frames, height, width)
        if extras:
            features = keras.layers.Concatenate(name="features")([features, *extras])
        outputs = build_heads(features, line.outputs, line.common_layers, line.head_layers, line.hidden_activation)
    outputs.update(auxiliary)  # aux_<output> (0008 v4): same targets, on the history branch only
    return keras.Model(inputs, outputs, name=line.name)
