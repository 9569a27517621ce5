"""A trained line as the player's predictor: compiled batch-1 inference, decoded outputs."""

from __future__ import annotations

import numpy as np

from charles_core import plugins
from charles_core.codec.line_codec import LineCodec
from charles_core.errors import ConfigError


def available_runtimes() -> tuple[str, ...]:
    """The registered runtimes that can run here (OpenVINO needs the ``charles-core[openvino]`` extra)."""
    return tuple(name for name, spec, _ in plugins.runtimes.items() if spec.available())


def make_runtime_predictor(model, runtime: str):
    """The batch-1 predictor of one registered runtime (``charles runtimes`` lists them)."""
    if runtime not in plugins.runtimes:
        raise ConfigError(f"runtime must be 'auto' or one of {plugins.runtimes.names()}; got {runtime!r}")
    return plugins.runtimes.get(runtime).factory(model)


def fastest_runtime(model, calls: int = 3) -> tuple[str, dict[str, float]]:
    """Time each installed runtime on zeros (after one warm-up call); returns the fastest and the seconds per call."""
    import time

    inputs = {t.name: np.zeros(t.shape[1:], np.float32) for t in model.inputs}
    timings = {}
    for name in available_runtimes():
        predictor = make_runtime_predictor(model, name)
        predictor.predict(inputs)
        started = time.perf_counter()
        for _ in range(calls):
            predictor.predict(inputs)
        timings[name] = (time.perf_counter() - started) / calls
    return min(timings, key=timings.get), timings


class LinePredictor:
    """Implements the player's ``Predictor`` protocol for a model built by ``create_model``.

    Classification and delta outputs are decoded to control values here
    (expected bin value; current value plus expected delta), so the player
    and the controllers only ever see values in each output's range.

    Args:
        model: the model (its ``charles_line`` attribute names the line).
        runtime: ``"auto"`` (the default: time each on this machine and keep
            the fastest), ``"tflite"`` (LiteRT: fastest for small models),
            ``"frozen"`` (the Keras graph with its weights folded in as
            constants: faster for large backbones; a weight swap re-freezes,
            seconds for InceptionResNetV2) or ``"keras"`` (the
            compiled Keras graph reading its variables: instant weight swaps)
            or ``"openvino"`` (OpenVINO's CPU plugin in float32, where the
            ``openvino`` extra is installed; ``"auto"`` times it only then).

    Example:

    ```text
    predictor = LinePredictor(model)
    predictor.predict({"frame": frame[None]})  # {"throttle": array([0.4]), "steering": array([-0.1])}
    ```
    """

    def __init__(self, model, runtime: str = "auto"):
        self.line = model.charles_line
        self.codec = LineCodec(self.line)
        if runtime == "auto":
            runtime, self.timings = fastest_runtime(model)
        self.compiled = make_runtime_predictor(model, runtime)
        self.runtime = runtime
        self.last_raw: dict[str, np.ndarray] = {}

    @property
    def model(self):
        return self.compiled.model

    def predict(self, inputs):
        raw = self.compiled.predict({name: np.asarray(value)[0] for name, value in inputs.items()})
        self.last_raw = raw
        current = {}
        if "current_controls" in inputs:
            values = np.asarray(inputs["current_controls"]).reshape(-1)
            current = {o.name: float(v) for o, v in zip(self.line.outputs, values)}
        decoded = self.codec.controls(raw, current)
        return {name: np.array([value], np.float32) for name, value in decoded.items()}

    def load_weights(self, path) -> None:
        self.compiled.load_weights(path)
