"""The built-in runtimes, registered through the same hook as a third-party runtime."""

from __future__ import annotations

from charles_core.hookspecs import hookimpl
from charles_core.runtimes.runtime_spec import RuntimeSpec


def _keras(model):
    from charles_core.runtimes.inference import CompiledPredictor

    return CompiledPredictor(model)


def _frozen(model):
    from charles_core.runtimes.frozen_predictor import FrozenPredictor

    return FrozenPredictor(model)


def _tflite(model):
    from charles_core.runtimes.tflite_predictor import TFLitePredictor

    return TFLitePredictor(model)


def _openvino(model):
    from charles_core.runtimes.openvino_predictor import OpenVINOPredictor

    return OpenVINOPredictor(model)


def _openvino_available() -> bool:
    from charles_core.runtimes.openvino_predictor import openvino_available

    return openvino_available()


@hookimpl
def charles_register_runtimes(register):
    register(
        RuntimeSpec("keras", _keras, description="the compiled Keras graph reading its variables: instant weight swaps")
    )
    register(
        RuntimeSpec(
            "frozen",
            _frozen,
            description="the Keras graph with its weights folded in as constants "
            "(batch norms folded into convolutions)",
        )
    )
    register(RuntimeSpec("tflite", _tflite, description="LiteRT (TensorFlow Lite): fastest for small models"))
    register(
        RuntimeSpec(
            "openvino",
            _openvino,
            available=_openvino_available,
            description="OpenVINO's CPU plugin in float32 (the openvino extra)",
        )
    )
