"""charles_pilotnet: charles_core's CPU line: PilotNet on 2 stacked frames, the 0004 layout scaled down.

Prints the Keras summary and parameter counts (see docs/lines/charles_pilotnet.md).

    python examples/charles_pilotnet.py --version 1 --input-size 135x240
"""

from _common import build_and_describe, parse_args

if __name__ == "__main__":
    build_and_describe(parse_args("charles_pilotnet", __doc__.splitlines()[0], default_version=1))
