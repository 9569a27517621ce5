"""model_0010_irv2_tcb: One InceptionResNetV2 per output, each with its own Dense(1024) and head.

Prints the Keras summary and parameter counts (see docs/lines/model_0010_irv2_tcb.md).

    python examples/model_0010_irv2_tcb.py --version 1 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0010_irv2_tcb", __doc__.splitlines()[0], default_version=1))
