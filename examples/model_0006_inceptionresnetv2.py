"""model_0006_inceptionresnetv2: model_0004 fed stacked frames (v1: 7, v2: 3); v3: time-distributed remedy.

Prints the Keras summary and parameter counts (see docs/lines/model_0006_inceptionresnetv2.md).

    python examples/model_0006_inceptionresnetv2.py --version 1 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0006_inceptionresnetv2", __doc__.splitlines()[0], default_version=1))
