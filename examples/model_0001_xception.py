"""model_0001_xception: Xception, three outputs (acceleration, braking, steering), Balancing_v1.

v1/v2 add a history branch.

Prints the Keras summary and parameter counts (see docs/lines/model_0001_xception.md).

    python examples/model_0001_xception.py --version 6 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0001_xception", __doc__.splitlines()[0], default_version=6))
