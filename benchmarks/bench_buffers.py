"""Script form of `charles bench buffers`: see charles_core/benchmarks/buffers.py."""

import sys

from charles_core.benchmarks.buffers import main

if __name__ == "__main__":
    sys.exit(main())
