"""model_0008_irv2_data_td: Recurrent history branch: a (60, signals) sequence through LSTMs (v1-v7).

Prints the Keras summary and parameter counts (see docs/lines/model_0008_irv2_data_td.md).

    python examples/model_0008_irv2_data_td.py --version 1 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("model_0008_irv2_data_td", __doc__.splitlines()[0], default_version=1))
