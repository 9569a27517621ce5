import numpy as np
import pytest

from charles_core.errors import ConfigError
from charles_core.models import create_model
from charles_core.runtimes.frozen_predictor import FrozenPredictor
from charles_core.runtimes.inference import CompiledPredictor
from charles_core.runtimes.line_predictor import LinePredictor
from charles_core.runtimes.openvino_predictor import openvino_available
from charles_core.runtimes.tflite_predictor import TFLitePredictor


# Each line's own inputs and heads on the small backbone: conversion of the big ones takes minutes.
@pytest.mark.parametrize(
    "line",
    [
        "charles_pilotnet_v1",  # stacked frames, regression
        "model_0001_xception_v5",  # delta bins + current controls input
        "model_0006_inceptionresnetv2_v3",  # time-distributed frames + LSTM
    ],
)
def test_every_runtime_outputs_equal_keras(line):
    model = create_model(line, backbone="pilotnet", input_size=(61, 64), seed=1, load_sources=False)
    rng = np.random.default_rng(0)
    inputs = {t.name: rng.uniform(0, 255, t.shape[1:]).astype(np.float32) for t in model.inputs}
    if "current_controls" in inputs:
        inputs["current_controls"] = rng.uniform(-1, 1, inputs["current_controls"].shape).astype(np.float32)
    keras_out = {k: np.asarray(v)[0] for k, v in model({k: v[None] for k, v in inputs.items()}).items()}
    predictors = [CompiledPredictor(model), FrozenPredictor(model), TFLitePredictor(model)]
    if openvino_available():
        from charles_core.runtimes.openvino_predictor import OpenVINOPredictor

        predictors.append(OpenVINOPredictor(model))
    for predictor in predictors:
        outputs = predictor.predict(inputs)
        assert set(outputs) == set(keras_out)
        for name in keras_out:
            np.testing.assert_allclose(outputs[name], keras_out[name], rtol=1e-4, atol=1e-5)


def test_wrong_inputs_are_named():
    model = create_model("charles_pilotnet_v1", input_size=(61, 64), load_sources=False)
    predictor = CompiledPredictor(model)
    with pytest.raises(ConfigError, match="missing model input 'frame'"):
        predictor.predict({})
    with pytest.raises(ConfigError, match=r"input 'frame' must have shape \(61, 64, 6\)"):
        predictor.predict({"frame": np.zeros((61, 64, 3))})


def test_frozen_graph_with_batch_norms_folded_equals_keras():
    # Xception normalizes after every convolution: the frozen graph folds those in
    model = create_model("model_0003_xception_v1", input_size=(71, 71), seed=1, load_sources=False)
    frame = np.random.default_rng(0).uniform(0, 255, (71, 71, 3)).astype(np.float32)
    expected = {k: np.asarray(v)[0] for k, v in model({"frame": frame[None]}).items()}
    outputs = FrozenPredictor(model).predict({"frame": frame})
    for name in expected:
        np.testing.assert_allclose(outputs[name], expected[name], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "runtime",
    [
        "keras",
        "frozen",
        "tflite",
        pytest.param(
            "openvino", marks=pytest.mark.skipif(not openvino_available(), reason="the openvino extra is not installed")
        ),
    ],
)
def test_line_predictor_decodes_and_swaps_weights(tmp_path, runtime):
    model = create_model("charles_pilotnet_v1", input_size=(61, 64), seed=1, load_sources=False)
    frame = np.random.default_rng(0).uniform(0, 255, (1, 61, 64, 6)).astype(np.float32)
    predictor = LinePredictor(model, runtime=runtime)
    before = predictor.predict({"frame": frame})
    assert set(before) == {"throttle", "steering"} and all(v.shape == (1,) for v in before.values())
    other = create_model("charles_pilotnet_v1", input_size=(61, 64), seed=2, load_sources=False)
    path = tmp_path / "charles_pilotnet_v1-batch00000001.keras"
    other.save(path)
    predictor.load_weights(path)
    after = predictor.predict({"frame": frame})
    expected = {k: float(np.asarray(v)[0, 0]) for k, v in other({"frame": frame}).items()}
    for name, value in after.items():
        assert value[0] == pytest.approx(expected[name], abs=1e-5)
    assert after != before


def test_unknown_runtime_is_refused():
    model = create_model("charles_pilotnet_v1", input_size=(61, 64), load_sources=False)
    with pytest.raises(ConfigError, match="runtime"):
        LinePredictor(model, runtime="onnx")


def test_auto_runtime_keeps_the_faster_one_it_measured():
    from charles_core.runtimes.line_predictor import fastest_runtime

    model = create_model("charles_pilotnet_v1", input_size=(61, 64), load_sources=False)
    chosen, timings = fastest_runtime(model)
    from charles_core.runtimes.line_predictor import available_runtimes

    assert set(timings) == set(available_runtimes()) and chosen == min(timings, key=timings.get)
    assert {"keras", "frozen", "tflite"} <= set(timings)
    assert LinePredictor(model).runtime in timings


def test_openvino_runtime_without_the_package_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_openvino(name, *args, **kwargs):
        if name == "openvino" or name.startswith("openvino."):
            raise ImportError("No module named 'openvino'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openvino)
    model = create_model("charles_pilotnet_v1", input_size=(61, 64), load_sources=False)
    with pytest.raises(ConfigError, match=r"charles-core\[openvino\]"):
        LinePredictor(model, runtime="openvino")
    from charles_core.runtimes.line_predictor import available_runtimes

    assert "openvino" not in available_runtimes()


def test_an_ensemble_averages_its_members_outputs():
    from charles_core.runtimes.ensemble_predictor import EnsemblePredictor

    members = [create_model("charles_pilotnet_v1", input_size=(61, 64), seed=s, load_sources=False) for s in (1, 2)]
    frame = np.random.default_rng(0).uniform(0, 255, (61, 64, 6)).astype(np.float32)
    alone = [CompiledPredictor(m).predict({"frame": frame}) for m in members]
    together = EnsemblePredictor([CompiledPredictor(m) for m in members]).predict({"frame": frame})
    assert set(together) == set(alone[0])
    assert any(not np.allclose(alone[0][k], alone[1][k]) for k in together)  # two different members
    for name, value in together.items():
        np.testing.assert_allclose(value, (alone[0][name] + alone[1][name]) / 2, rtol=1e-6)


def test_an_ensemble_of_different_inputs_or_of_none_is_refused():
    from charles_core.runtimes.ensemble_predictor import EnsemblePredictor

    small = CompiledPredictor(create_model("charles_pilotnet_v1", input_size=(61, 64), load_sources=False))
    large = CompiledPredictor(create_model("charles_pilotnet_v1", input_size=(72, 96), load_sources=False))
    with pytest.raises(ConfigError, match="ensemble members take different inputs"):
        EnsemblePredictor([small, large])
    with pytest.raises(ConfigError, match="at least one predictor"):
        EnsemblePredictor([])
