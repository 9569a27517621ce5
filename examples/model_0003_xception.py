"""model_0003_xception: Xception -> Dense(1024) -> 2 standard heads (throttle, steering), Balancing_v3.

Prints the Keras summary and parameter counts (see docs/lines/model_0003_xception.md).

    python examples/model_0003_xception.py --version 1 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0003_xception", __doc__.splitlines()[0], default_version=1))
