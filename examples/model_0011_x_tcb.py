"""model_0011_x_tcb: One Xception per output, each with its own Dense(1024) and head.

Prints the Keras summary and parameter counts (see docs/lines/model_0011_x_tcb.md).

    python examples/model_0011_x_tcb.py --version 1 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0011_x_tcb", __doc__.splitlines()[0], default_version=1))
