"""Drive-loop predictions per second against the raw compiled forward pass and ``model.predict``.

Three ways to get one prediction per frame from the same model, in one run:

- ``raw``: the batch-1 forward pass alone, in the fastest runtime (each of
  ``LinePredictor``'s runtimes is timed and reported: the compiled Keras
  graph, the frozen graph, LiteRT; the loop then runs on the fastest, as
  ``runtime="auto"`` would pick);
- ``loop``: the full player loop (capture thread, preprocessing, prediction,
  decoding, controller) with no rate cap, frames already at the input size
  (the screen source resizes in its capture thread);
- ``predict``: ``model.predict`` once per frame, what most driving scripts do.

Bars: loop / raw >= 0.9; loop / predict >= 20 for the quickstart's line and
>= 1.4 for InceptionResNetV2 at 270x480 on this CPU.

Run: ``charles bench drive model_0004_inceptionresnetv2_v3 --input-size 270x480 --json``
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


class _FrameSource:
    """Fresh random frames at the model's input size."""

    def __init__(self, size):
        rng = np.random.default_rng(0)
        self.frames = rng.integers(0, 256, (8, *size, 3), dtype=np.uint8)
        self.index = 0

    def read(self):
        self.index += 1
        return self.frames[self.index % len(self.frames)]


class _NullController:
    def apply(self, controls):
        return controls


def _timed(function, count: int, warmup: int) -> float:
    for _ in range(warmup):
        function()
    started = time.perf_counter()
    for _ in range(count):
        function()
    return count / (time.perf_counter() - started)


def run_benchmark(
    line: str, input_size, predictions: int = 100, warmup: int = 5, predict_calls: int | None = None, seed: int = 0
) -> dict:
    from charles_core.driving.drive import make_history, make_preprocess
    from charles_core.driving.player import Player
    from charles_core.driving.player_config import PlayerConfig
    from charles_core.models import create_model
    from charles_core.runtimes.line_predictor import LinePredictor

    model = create_model(line, input_size=tuple(input_size), seed=seed, load_sources=False)
    line_config = model.charles_line
    source = _FrameSource(tuple(input_size))
    preprocess = make_preprocess(line_config, tuple(input_size))
    inputs = preprocess(source.read(), make_history(line_config))

    from charles_core.runtimes.line_predictor import available_runtimes, make_runtime_predictor

    unbatched = {name: value[0] for name, value in inputs.items()}
    runtime_pps = {}
    for runtime in available_runtimes():
        compiled = make_runtime_predictor(model, runtime)
        runtime_pps[runtime] = _timed(lambda compiled=compiled: compiled.predict(unbatched), predictions, warmup)
    fastest = max(runtime_pps, key=runtime_pps.get)
    raw_pps = runtime_pps[fastest]

    predictor = LinePredictor(model, runtime=fastest)
    player = Player(
        source,
        predictor,
        _NullController(),
        preprocess,
        config=PlayerConfig(rate_hz=0.0),
        history=make_history(line_config),
        on_status=lambda s: None,
        telemetry=lambda: {"speed": 30.0, "purpose": (20.0, 0.1)},
    )  # what history lines push
    player.run(max_steps=warmup)
    stats = player.run(max_steps=predictions)
    loop_pps = stats.pps

    calls = predict_calls or max(10, predictions // 4)
    predict_pps = _timed(lambda: model.predict(inputs, verbose=0), calls, 2)
    return {
        "benchmark": "drive",
        "line": line_config.name,
        "input_size": list(input_size),
        "runtime": predictor.runtime,
        "raw_pps": round(raw_pps, 2),
        **{f"raw_{runtime}_pps": round(pps, 2) for runtime, pps in runtime_pps.items()},
        "loop_pps": round(loop_pps, 2),
        "predict_pps": round(predict_pps, 2),
        "loop_over_raw": round(loop_pps / raw_pps, 3),
        "loop_over_predict": round(loop_pps / predict_pps, 2),
    }


def add_arguments(parser) -> None:
    from charles_core.common import arguments as arg

    parser.add_argument("line")
    parser.add_argument(
        "--input-size", type=arg.input_size, default=None, metavar="HxW", help="default: the line's native size"
    )
    parser.add_argument("--predictions", type=arg.positive_int, default=100, help="timed predictions per method")
    parser.add_argument("--warmup", type=arg.non_negative_int, default=5)
    parser.add_argument(
        "--precision",
        choices=("float32", "bfloat16"),
        default="float32",
        help="bfloat16: the whole run (loop, raw and predict alike) on oneDNN's bfloat16 path",
    )
    parser.add_argument("--json", action="store_true")


def run_from_args(args) -> int:
    from charles_core import plugins

    if args.precision == "bfloat16":  # process-wide: every graph of the run
        from charles_core.runtimes.bfloat16_inference import enable_bfloat16_inference

        enable_bfloat16_inference()
    size = args.input_size or plugins.lines.get(args.line).input_size
    result = {**run_benchmark(args.line, size, args.predictions, args.warmup), "precision": args.precision}
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
