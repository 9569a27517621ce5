"""model_0009_irv2_cr_tl: Transfer from the project's own checkpoints (sources not loaded here).

Prints the Keras summary and parameter counts (see docs/lines/model_0009_irv2_cr_tl.md).

    python examples/model_0009_irv2_cr_tl.py --version 5 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0009_irv2_cr_tl", __doc__.splitlines()[0], default_version=5))
