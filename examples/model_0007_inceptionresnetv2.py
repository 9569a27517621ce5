"""model_0007_inceptionresnetv2: InceptionResNetV2 + history and purpose branch -> 3 common Dense -> 2 heads.

Prints the Keras summary and parameter counts (see docs/lines/model_0007_inceptionresnetv2.md).

    python examples/model_0007_inceptionresnetv2.py --version 1 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0007_inceptionresnetv2", __doc__.splitlines()[0], default_version=1))
