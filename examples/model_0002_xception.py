"""model_0002_xception: The 0001 v6 architecture, trained by the per-output helper loop on Balancing_v2.

Prints the Keras summary and parameter counts (see docs/lines/model_0002_xception.md).

    python examples/model_0002_xception.py --version 1 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0002_xception", __doc__.splitlines()[0], default_version=1))
