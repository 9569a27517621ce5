"""model_0004_inceptionresnetv2: The seed line: the 0003 architecture on InceptionResNetV2 (v3: 1,000-batch warmup).

Prints the Keras summary and parameter counts (see docs/lines/model_0004_inceptionresnetv2.md).

    python examples/model_0004_inceptionresnetv2.py --version 3 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0004_inceptionresnetv2", __doc__.splitlines()[0], default_version=3))
