"""OpenVINO inference at batch 1, in float32 (optional: ``pip install 'charles-core[openvino]'``).

OpenVINO converts the traced Keras graph in memory (no file, nothing to
unpickle) and compiles it for the CPU with its latency hint. Precision is
pinned to float32: on CPUs with bfloat16 instructions OpenVINO would pick
bfloat16 by itself, which moves the outputs (see
:mod:`charles_core.runtimes.bfloat16_inference` for that trade, opt-in). Swapping
weights converts again (seconds for the large backbones).

Example:

```text
predictor = OpenVINOPredictor(model)
predictor.predict({"frame": frame})  # {"throttle": array([..]), "steering": array([..])}
```
"""

from __future__ import annotations

import numpy as np

from charles_core.errors import ConfigError
from charles_core.runtimes.inference import batch_of_one, copy_checkpoint_weights


def _import_openvino():
    try:
        import openvino
    except ImportError:
        raise ConfigError(
            "the 'openvino' runtime needs OpenVINO: pip install 'charles-core[openvino]' "
            "(or choose runtime 'auto', 'keras', 'frozen' or 'tflite')"
        ) from None
    return openvino


def openvino_available() -> bool:
    """Whether the ``openvino`` package can be imported here."""
    try:
        _import_openvino()
    except ConfigError:
        return False
    return True


class OpenVINOPredictor:
    """Same interface as :class:`~charles_core.runtimes.inference.CompiledPredictor`, on OpenVINO's CPU plugin.

    Args:
        model: a model built by ``create_model`` (dict inputs and outputs).

    Raises:
        ConfigError: OpenVINO is not installed.
    """

    def __init__(self, model):
        self._openvino = _import_openvino()
        self.model = model
        self.input_shapes = {t.name: tuple(t.shape[1:]) for t in model.inputs}
        self.weights_name = "initial"
        self._convert()

    def _convert(self) -> None:
        import tensorflow as tf

        signature = {
            name: tf.TensorSpec((1, *shape), tf.float32, name=name) for name, shape in self.input_shapes.items()
        }
        forward = tf.function(lambda inputs: self.model(inputs, training=False), input_signature=[signature])
        converted = self._openvino.convert_model(forward.get_concrete_function())
        compiled = self._openvino.Core().compile_model(
            converted, "CPU", {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}
        )
        self._inputs = {}
        for port in compiled.inputs:
            matches = [name for name in self.input_shapes if port.get_any_name().split(":")[0] == name]
            if len(matches) != 1:
                raise ConfigError(
                    f"OpenVINO input {port.get_any_name()!r} matches no model input {sorted(self.input_shapes)}"
                )
            self._inputs[matches[0]] = port
        outputs = {o.name for o in self.model.outputs} | set(self.model.output_names)
        self._outputs = {}
        for port in compiled.outputs:
            names = [name for name in port.get_names() if name in outputs]
            if len(names) != 1:
                raise ConfigError(f"OpenVINO output {sorted(port.get_names())} matches no single model output")
            self._outputs[names[0]] = port
        self._request = compiled.create_infer_request()

    def predict(self, inputs: dict) -> dict[str, np.ndarray]:
        """One prediction; ``inputs`` maps input name -> unbatched array; outputs are unbatched."""
        feed = {self._inputs[name]: value for name, value in batch_of_one(self.input_shapes, inputs).items()}
        results = self._request.infer(feed)
        return {name: np.array(results[port])[0] for name, port in self._outputs.items()}

    def load_weights(self, path) -> None:
        """Swap in a checkpoint's weights, then convert again."""
        copy_checkpoint_weights(self.model, path)
        self._convert()
        self.weights_name = str(path)
